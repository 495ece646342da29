"""The CI dependency audit (.ci/audit_dependencies.py) against a real HTTP server on 127.0.0.1 that
answers like PyPI's project JSON, and against advisory snapshots the tests write."""
from __future__ import annotations

import gzip
import importlib.util
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("audit_dependencies", ROOT / ".ci" / "audit_dependencies.py")
audit = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))  # dataclasses look it up
_spec.loader.exec_module(audit)


def project(releases: dict[str, list[dict] | None], vulnerabilities: list[dict] | None = None) -> dict:
    """A project JSON: each release with one wheel (or the files given), the latest's advisories."""
    files = {version: [{"filename": "x.whl", "yanked": False}] if given is None else given
             for version, given in releases.items()}
    return {"info": {"version": list(releases)[-1]}, "releases": files, "vulnerabilities": vulnerabilities or []}


def vuln(id_: str, fixed_in: list[str] = (), aliases: list[str] = (), withdrawn: str | None = None) -> dict:
    return {"id": id_, "aliases": list(aliases), "fixed_in": list(fixed_in), "withdrawn": withdrawn,
            "details": "...", "summary": None, "link": f"https://osv.dev/vulnerability/{id_}", "source": "osv"}


class Index:
    """What the local server answers: per project a list of answers, used in turn (the last repeats).
    An answer is a project dict, an HTTP status, or ("slow", seconds, project)."""

    def __init__(self):
        self.answers: dict[str, list] = {}
        self.requests: list[str] = []


@pytest.fixture
def index():
    state = Index()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            name = self.path.strip("/").split("/")[1]
            state.requests.append(name)
            answers = state.answers.get(name, [404])
            answer = answers.pop(0) if len(answers) > 1 else answers[0]
            if isinstance(answer, tuple):
                _slow, seconds, answer = answer
                time.sleep(seconds)
            if isinstance(answer, int):
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = gzip.compress(json.dumps(answer).encode())
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up on a slow answer
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/pypi"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(audit, "TIMEOUT", 1.0)
    monkeypatch.setattr(audit, "PAUSES", (0.05, 0.05, 0.05))


def run(tmp_path, index, constraints: str, pyproject: str = "", snapshot: Path | None = None) -> int:
    (tmp_path / "constraints.txt").write_text(constraints)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    extra = ["--snapshot", str(snapshot)] if snapshot else []
    return audit.main(["--constraints", str(tmp_path / "constraints.txt"), "--pyproject", str(tmp_path / "pyproject.toml"),
                       "--index-url", index.url, *extra])


REQUESTS = project({"2.19.0": None, "2.20.0": None, "2.34.2": None})


def write_snapshot(tmp_path) -> Path:
    """A snapshot as --refresh-from writes it, with two requests advisories (their real ranges)."""
    snapshot = tmp_path / "snapshot.json"
    advisories = [{"id": "PYSEC-2018-28", "aliases": ["CVE-2018-18074", "GHSA-x84v-xcm2-53pg"], "package": "requests",
                   "ranges": [[{"introduced": "0"}, {"fixed": "2.20.0"}]], "versions": []},
                  {"id": "PYSEC-2023-74", "aliases": ["CVE-2023-32681"], "package": "requests",
                   "ranges": [[{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]], "versions": []}]
    snapshot.write_text(json.dumps({"source": "pypa/advisory-database", "as_of": "2026-11-30", "advisories": advisories}))
    return snapshot


def test_an_old_requests_pin_fails_on_a_snapshot(tmp_path, index, capsys):
    index.answers["requests"] = [REQUESTS]
    assert run(tmp_path, index, "# pins\nrequests==2.19.0\n", snapshot=write_snapshot(tmp_path)) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE: requests==2.19.0  PYSEC-2018-28 (CVE-2018-18074, GHSA-x84v-xcm2-53pg)  fixed in 2.20.0  [snapshot]" in out
    assert "PYSEC-2023-74" in out and "fixed in 2.31.0" in out
    assert "known vulnerabilities found in 1 pins" in out


def test_a_current_pin_passes(tmp_path, index, capsys):
    index.answers["requests"] = [REQUESTS]
    assert run(tmp_path, index, "requests==2.34.2\n", snapshot=write_snapshot(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "VULNERABLE" not in out and "no known vulnerability in 1 pins" in out
    assert "snapshot: pypa/advisory-database as of 2026-11-30" in out
    assert run(tmp_path, index, "requests==2.34.2\n") == 0
    assert "no snapshot (advisories on each project's latest release only)" in capsys.readouterr().out


def test_an_advisory_on_the_latest_release_fails_the_pin_once_unless_it_carries_a_fix(tmp_path, index, capsys):
    advisories = [vuln("PYSEC-2026-1", aliases=["GHSA-aaaa"], fixed_in=["1.4.3", "2.1.0rc1"]),
                  vuln("GHSA-aaaa", aliases=["PYSEC-2026-1"]),  # the same advisory under its other id
                  vuln("PYSEC-2026-2", withdrawn="2026-11-01T00:00:00Z")]
    index.answers["mylib"] = [project({"1.4.2": None, "1.4.3": None, "2.0.0": None, "2.1.0rc1": None}, advisories)]
    assert run(tmp_path, index, "mylib==2.0.0\n") == 1
    out = capsys.readouterr().out
    assert out.count("VULNERABLE") == 1
    assert "VULNERABLE: mylib==2.0.0  PYSEC-2026-1 (GHSA-aaaa)  fixed in 2.1.0rc1  [pypi]" in out
    # 1.4.3 is the fix on its own series; 1.4.2 is not.
    assert run(tmp_path, index, "mylib==1.4.3\n") == 0
    assert run(tmp_path, index, "mylib==1.4.2\n") == 1


def test_an_accepted_advisory_needs_a_reason(tmp_path, index, capsys):
    index.answers["mylib"] = [project({"1.0": None}, [vuln("GHSA-bbbb", aliases=["CVE-2026-1"])])]
    accepted = '[tool.hep-audit]\nignore = {"CVE-2026-1" = "hep never calls the affected parser"}\n'
    assert run(tmp_path, index, "mylib==1.0\n", accepted) == 0
    out = capsys.readouterr().out
    assert "ACCEPTED (hep never calls the affected parser): mylib==1.0  GHSA-bbbb" in out
    assert "audit: accepted advisories only in 1 pins" in out
    assert run(tmp_path, index, "mylib==1.0\n", '[tool.hep-audit]\nignore = {"CVE-2026-1" = " "}\n') == 2
    assert "CVE-2026-1 needs a reason" in capsys.readouterr().err


def test_a_yanked_pin_fails_and_an_unknown_release_cannot_be_audited(tmp_path, index, capsys):
    yanked = [{"filename": "x.whl", "yanked": True, "yanked_reason": "broken TLS defaults"}]
    index.answers["mylib"] = [project({"1.0": yanked, "1.1": None})]
    assert run(tmp_path, index, "mylib==1.0\n") == 1
    assert "mylib==1.0  YANKED  the release was yanked: broken TLS defaults  [pypi]" in capsys.readouterr().out
    assert run(tmp_path, index, "mylib==0.9\n") == 2
    assert "mylib==0.9: PyPI lists no such release" in capsys.readouterr().err


def test_a_slow_or_failing_registry_is_tried_again(tmp_path, index, capsys):
    index.answers["mylib"] = [503, ("slow", 1.5, project({"1.0": None})), 429, project({"1.0": None})]
    assert run(tmp_path, index, "mylib==1.0\n") == 0
    assert index.requests == ["mylib"] * 4
    assert "no known vulnerability" in capsys.readouterr().out


@pytest.mark.parametrize("answers, message", [
    ([503], "did not answer after 4 tries (HTTP 503)"),
    ([("slow", 1.5, {})], "did not answer after 4 tries (timed out)"),
    ([404], "not on the package index"),
])
def test_no_answer_fails_loudly(tmp_path, index, capsys, answers, message):
    index.answers["requests"] = [REQUESTS]
    index.answers["mylib"] = answers
    assert run(tmp_path, index, "requests==2.34.2\nmylib==1.0\n") == 2
    captured = capsys.readouterr()
    assert "audit FAILED, nothing was audited: mylib: " in captured.err and message in captured.err
    assert "no known vulnerability" not in captured.out


def test_an_unreachable_registry_fails_loudly(tmp_path, index, capsys):
    index.url = "http://127.0.0.1:9/pypi"  # discard port: nothing listens
    assert run(tmp_path, index, "requests==2.34.2\n") == 2
    assert "requests: the package index did not answer after 4 tries" in capsys.readouterr().err


@pytest.mark.parametrize("line", ["requests>=2.19\n", "-e .\n", "requests\n", "requests==not a version\n"])
def test_anything_but_an_exact_pin_cannot_be_audited(tmp_path, index, capsys, line):
    assert run(tmp_path, index, "idna==3.20\n" + line) == 2
    assert "constraints.txt:2: not an exact pin" in capsys.readouterr().err


def test_the_committed_constraints_are_all_exact_pins():
    pins = audit.read_pins(ROOT / "constraints.txt")
    names = {pin.name for pin in pins}
    assert {"requests", "bandit", "packaging", "flask"} <= names and len(names) == len(pins)


@pytest.mark.parametrize("version, ranges, versions, expected", [
    ("1.0", [[{"introduced": "0"}, {"fixed": "2.0"}]], [], True),
    ("2.0", [[{"introduced": "0"}, {"fixed": "2.0"}]], [], False),
    ("3.5", [[{"fixed": "2.0"}, {"introduced": "3.0"}, {"introduced": "1.0"}, {"fixed": "4.0"}]], [], True),
    ("2.5", [[{"introduced": "1.0"}, {"fixed": "2.0"}, {"introduced": "3.0"}, {"fixed": "4.0"}]], [], False),
    ("1.2", [[{"introduced": "1.0"}, {"last_affected": "1.2"}]], [], True),
    ("1.2.1", [[{"introduced": "1.0"}, {"last_affected": "1.2"}]], [], False),
    ("5.0", [[{"introduced": "1.0"}]], [], True),
    ("2.0rc1", [[{"introduced": "0"}, {"fixed": "2.0"}]], [], True),
    ("0.12.1", [], ["0.12.0", "0.9"], False),
    ("0.12.1", [], ["0.12.01"], True),  # the same release, PEP 440 normalised
])
def test_osv_ranges(version, ranges, versions, expected):
    assert audit.affected(Version(version), ranges, versions) is expected


def test_refresh_builds_a_snapshot_the_audit_reads(tmp_path, index, capsys):
    vulns = tmp_path / "db" / "vulns" / "my-lib"
    vulns.mkdir(parents=True)
    (vulns / "PYSEC-2026-7.yaml").write_text(
        "id: PYSEC-2026-7\nmodified: 2026-11-30T10:00:00Z\naliases: [CVE-2026-7]\naffected:\n"
        "- package: {name: My_Lib, ecosystem: PyPI}\n  ranges:\n  - type: GIT\n    events: [{introduced: abc}]\n"
        "  - type: ECOSYSTEM\n    events: [{introduced: '0'}, {fixed: 1.5.0}]\n  versions: [1.0.0]\n")
    (vulns / "PYSEC-2026-8.yaml").write_text(
        "id: PYSEC-2026-8\nmodified: 2026-12-01T10:00:00Z\nwithdrawn: 2026-12-01T10:00:00Z\naffected:\n"
        "- package: {name: my-lib, ecosystem: PyPI}\n  ranges:\n  - type: ECOSYSTEM\n    events: [{introduced: '0'}]\n")
    snapshot = tmp_path / "snapshot.json"
    assert audit.main(["--refresh-from", str(tmp_path / "db"), "--snapshot", str(snapshot)]) == 0
    data = json.loads(snapshot.read_text())
    assert data["as_of"] == "2026-11-30"
    assert data["advisories"] == [{"id": "PYSEC-2026-7", "aliases": ["CVE-2026-7"], "package": "my-lib",
                                   "ranges": [[{"introduced": "0"}, {"fixed": "1.5.0"}]], "versions": []}]
    index.answers["my-lib"] = [project({"1.0.0": None, "1.5.0": None})]
    assert run(tmp_path, index, "My.Lib==1.0.0\n", snapshot=snapshot) == 1
    assert "VULNERABLE: my-lib==1.0.0  PYSEC-2026-7 (CVE-2026-7)  fixed in 1.5.0  [snapshot]" in capsys.readouterr().out

"""Dependency vulnerability audit: every pin in constraints.txt against the known advisories.

CI reaches the package registries and nothing else, so the advisories come from two places:

- live, PyPI's project JSON (``/pypi/NAME/json``): its ``vulnerabilities`` are the advisories that
  affect the project's *latest* release (PyPI serves that list for no other release here). Such an
  advisory flags the pin unless the pin already carries one of its ``fixed_in`` versions (same
  major.minor series, at or below the pin). ``releases`` also tells whether the pinned release
  exists and whether it was yanked.
- optionally, ``--snapshot FILE`` (or ``HEP_AUDIT_SNAPSHOT``): the PyPA advisory database (OSV
  records with affected version ranges) as of the date it records, built with ``--refresh-from``
  on a machine that can reach it. It finds the advisories fixed in a later release than the pin,
  which PyPI's project JSON no longer lists. None is committed: advisory data is not ours to ship,
  and a stale copy would look like coverage it does not give.

Exit status: 0 no finding; 1 findings (each printed); 2 the audit could not be done (the registry
did not answer after retries, a pin PyPI does not know, a line that is not ``name==version``), so
it never passes silently. Advisories accepted on purpose go in pyproject.toml,
``[tool.hep-audit] ignore = {"ADVISORY-ID" = "why"}``.

``--refresh-from DIR`` rewrites the snapshot from a checkout of the PyPA advisory database.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import sys
import time
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
NO_SNAPSHOT = {"source": None, "as_of": None, "advisories": [], "by_package": {}}
INDEX_URL = "https://pypi.org/pypi"
TIMEOUT = 20.0  # seconds per request
PAUSES = (2.0, 4.0, 8.0)  # a slow or briefly failing registry is tried again after each pause
WORKERS = 8


class AuditError(Exception):
    """The audit could not be done (exit status 2)."""


@dataclass(frozen=True)
class Pin:
    name: str  # canonical (PEP 503)
    version: Version

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass(frozen=True)
class Finding:
    pin: Pin
    id: str
    aliases: tuple[str, ...]
    detail: str  # "fixed in 2.20.0", "no fixed release known", or why the release was yanked
    source: str  # "pypi" (live) or "snapshot"

    def ids(self) -> set[str]:
        return {self.id, *self.aliases}

    def __str__(self) -> str:
        aliases = f" ({', '.join(self.aliases)})" if self.aliases else ""
        link = "" if self.id == "YANKED" else f"  https://osv.dev/vulnerability/{self.id}"
        return f"{self.pin}  {self.id}{aliases}  {self.detail}  [{self.source}]{link}"


def _fix(pin: Version, fixed: list[Version]) -> str:
    later = sorted(v for v in fixed if v > pin)
    return f"fixed in {later[0]}" if later else "no fixed release known"


def read_pins(path: Path) -> list[Pin]:
    """The ``name==version`` lines of a constraints file; AuditError on any other requirement."""
    pins = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        try:
            if not sep or not name.strip():
                raise InvalidVersion(line)
            pins.append(Pin(canonicalize_name(name.strip()), Version(version.strip())))
        except InvalidVersion:
            raise AuditError(f"{path.name}:{number}: not an exact pin (name==version): {raw.strip()}") from None
    return pins


def fetch_project(name: str, index_url: str = INDEX_URL) -> dict:
    """PyPI's project JSON for ``name``; timeouts, connection errors, 429 and 5xx are tried again
    after each of PAUSES. Raises AuditError when the project does not exist or no try succeeded."""
    request = urllib.request.Request(f"{index_url}/{name}/json",
                                     headers={"Accept-Encoding": "gzip", "User-Agent": "hep-ci-audit"})
    problem = ""
    for pause in (0, *PAUSES):
        time.sleep(pause)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                body = response.read()
                if response.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                return json.loads(body)
        except urllib.error.HTTPError as error:
            error.close()  # its response stays open otherwise
            if error.code == 404:
                raise AuditError(f"{name}: not on the package index ({request.full_url} answered 404)") from None
            if error.code != 429 and error.code < 500:
                raise AuditError(f"{name}: {request.full_url} answered {error.code}") from None
            problem = f"HTTP {error.code}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            problem = str(getattr(error, "reason", error))
        except ValueError as error:  # a cut-off or garbled body (bad JSON or gzip)
            problem = f"unreadable answer: {error}"
    raise AuditError(f"{name}: the package index did not answer after {len(PAUSES) + 1} tries ({problem})")


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def release_findings(pin: Pin, project: dict) -> list[Finding]:
    """A yanked pinned release is a finding; a pinned release PyPI does not list is an AuditError."""
    files = next((f for v, f in project.get("releases", {}).items() if _version(v) == pin.version), None)
    if files is None:
        raise AuditError(f"{pin}: PyPI lists no such release of {pin.name}")
    yanked = [f for f in files if f.get("yanked")]
    if files and len(yanked) == len(files):
        reason = yanked[0].get("yanked_reason") or "no reason given"
        return [Finding(pin, "YANKED", (), f"the release was yanked: {reason}", "pypi")]
    return []


def carries_fix(pin: Version, fixed_in: list[str]) -> bool:
    """Whether ``pin`` is at or above a fixed version of its own major.minor series."""
    fixes = [v for v in map(_version, fixed_in) if v is not None]
    return any(fix <= pin and fix.release[:2] == pin.release[:2] for fix in fixes)


def live_findings(pin: Pin, project: dict) -> list[Finding]:
    """The advisories PyPI lists for the latest release that the pin does not carry a fix for.

    PyPI may list one advisory under several ids (PYSEC, GHSA) with different ``fixed_in``; a fix
    named under any of its ids counts."""
    vulns = [v for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")]
    findings = []
    for vuln in vulns:
        ids = {vuln["id"], *(vuln.get("aliases") or ())}
        fixed_in = [f for other in vulns if ids & {other["id"], *(other.get("aliases") or ())} for f in other.get("fixed_in") or []]
        if carries_fix(pin.version, fixed_in):
            continue
        fixed = [v for v in map(_version, fixed_in) if v is not None]
        findings.append(Finding(pin, vuln["id"], tuple(vuln.get("aliases") or ()), _fix(pin.version, fixed), "pypi"))
    return findings


def _sorted_events(events: list[dict]) -> list[tuple[Version, str]]:
    """(version, kind) pairs in version order; "0" is before every release. ValueError if unparsable."""
    pairs = []
    for event in events:
        ((kind, text),) = event.items()
        pairs.append((Version("0") if text == "0" else Version(text), kind))
    return sorted(pairs, key=lambda pair: pair[0])


def affected(version: Version, ranges: list[list[dict]], versions: list[str]) -> bool:
    """OSV's evaluation of ECOSYSTEM ranges (events walked in version order), or the explicit list."""
    if any(_version(v) == version for v in versions):
        return True
    for events in ranges:
        vulnerable = False
        for at, kind in _sorted_events(events):
            if kind == "introduced" and version >= at:
                vulnerable = True
            elif (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at):
                vulnerable = False
        if vulnerable:
            return True
    return False


def snapshot_findings(pin: Pin, advisories: list[dict]) -> list[Finding]:
    """The snapshot's advisories for ``pin.name`` whose ranges include the pinned version."""
    findings = []
    for advisory in advisories:
        if not affected(pin.version, advisory["ranges"], advisory["versions"]):
            continue
        fixed = [Version(text) for events in advisory["ranges"] for event in events for kind, text in event.items() if kind == "fixed"]
        findings.append(Finding(pin, advisory["id"], tuple(advisory["aliases"]), _fix(pin.version, fixed), "snapshot"))
    return findings


def load_snapshot(path: Path | None) -> dict:
    """The snapshot, its advisories grouped by canonical package name under ``by_package``
    (``NO_SNAPSHOT`` when ``path`` is None)."""
    if path is None:
        return NO_SNAPSHOT
    snapshot = json.loads(path.read_text())
    snapshot["by_package"] = {}
    for advisory in snapshot["advisories"]:
        snapshot["by_package"].setdefault(advisory["package"], []).append(advisory)
    return snapshot


def load_ignored(pyproject: Path) -> dict[str, str]:
    """Advisory id -> why it is accepted, from ``[tool.hep-audit] ignore`` (each needs a reason)."""
    if not pyproject.exists():
        return {}
    ignored = tomllib.loads(pyproject.read_text()).get("tool", {}).get("hep-audit", {}).get("ignore", {})
    for advisory, why in ignored.items():
        if not str(why).strip():
            raise AuditError(f"[tool.hep-audit] ignore: {advisory} needs a reason")
    return ignored


def audit_pin(pin: Pin, project: dict, snapshot: dict) -> list[Finding]:
    """The pin's findings from both sources, each advisory once (a later one sharing an id or alias
    with an earlier one is the same advisory under another database's name)."""
    findings, known = [], set()
    candidates = release_findings(pin, project) + snapshot_findings(pin, snapshot["by_package"].get(pin.name, []))
    for finding in candidates + live_findings(pin, project):
        if not finding.ids() & known:
            findings.append(finding)
            known |= finding.ids()
    return findings


def audit(pins: list[Pin], snapshot: dict, index_url: str = INDEX_URL) -> list[Finding]:
    """Every pin's findings; AuditError as soon as one project cannot be fetched."""
    def one(pin: Pin) -> list[Finding]:
        return audit_pin(pin, fetch_project(pin.name, index_url), snapshot)

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(one, pin) for pin in pins]
        try:
            return [finding for future in futures for finding in future.result()]
        except AuditError:
            for future in futures:
                future.cancel()
            raise


def report(findings: list[Finding], ignored: dict[str, str]) -> int:
    """Prints the findings; 1 if any is not accepted in ``ignored``, else 0."""
    failing = 0
    for f in findings:
        accepted = next((ignored[i] for i in sorted(f.ids()) if i in ignored), None)
        print(f"ACCEPTED ({accepted}): {f}" if accepted else f"VULNERABLE: {f}")
        failing += accepted is None
    return 1 if failing else 0


def refresh(source: Path, target: Path) -> int:
    """Rewrites ``target`` from ``source/vulns/*/*.yaml`` (a PyPA advisory-database checkout)."""
    import yaml  # only the refresh reads YAML

    advisories, modified = [], ""
    for path in sorted((source / "vulns").glob("*/*.yaml")):
        record = yaml.safe_load(path.read_text())
        if record.get("withdrawn"):
            continue
        modified = max(modified, str(record.get("modified", "")))
        for item in record.get("affected", []):
            if item["package"].get("ecosystem") != "PyPI":
                continue
            ranges = [[{kind: str(at) for kind, at in event.items()} for event in r["events"]]
                      for r in item.get("ranges", []) if r["type"] == "ECOSYSTEM"]
            try:
                [_sorted_events(events) for events in ranges]
                versions = [] if ranges else [str(v) for v in item.get("versions", [])]
            except ValueError:  # InvalidVersion too: keep the explicit list where a range does not parse
                ranges, versions = [], [str(v) for v in item.get("versions", [])]
            advisories.append({"id": record["id"], "aliases": record.get("aliases") or [],
                               "package": canonicalize_name(item["package"]["name"]),
                               "ranges": ranges, "versions": versions})
    lines = [json.dumps(a, separators=(",", ":"), sort_keys=True) for a in advisories]
    header = json.dumps({"source": "pypa/advisory-database", "as_of": modified[:10]})[:-1]
    target.write_text(header + ', "advisories": [\n' + ",\n".join(lines) + "\n]}\n")
    print(f"{target}: {len(advisories)} advisories, as of {modified[:10]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--constraints", type=Path, default=ROOT / "constraints.txt")
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    parser.add_argument("--snapshot", type=Path, default=os.environ.get("HEP_AUDIT_SNAPSHOT") or None,
                        help="an advisory snapshot written by --refresh-from (optional)")
    parser.add_argument("--index-url", default=INDEX_URL, help="PyPI's JSON API root (default %(default)s)")
    parser.add_argument("--refresh-from", type=Path, metavar="DIR", help="rewrite the snapshot from this checkout")
    args = parser.parse_args(argv)
    if args.refresh_from:
        if args.snapshot is None:
            parser.error("--refresh-from needs --snapshot FILE to write")
        return refresh(args.refresh_from, args.snapshot)
    started = time.monotonic()
    try:
        pins, ignored, snapshot = read_pins(args.constraints), load_ignored(args.pyproject), load_snapshot(args.snapshot)
        if snapshot["as_of"]:
            age = (dt.date.today() - dt.date.fromisoformat(snapshot["as_of"])).days
            where = f"snapshot: {snapshot['source']} as of {snapshot['as_of']} ({age} days old)"
        else:
            where = "no snapshot (advisories on each project's latest release only)"
        print(f"audit: {len(pins)} pins in {args.constraints.name}; live: PyPI project JSON; {where}")
        findings = audit(pins, snapshot, args.index_url)
    except AuditError as error:
        print(f"audit FAILED, nothing was audited: {error}", file=sys.stderr)
        return 2
    status = report(findings, ignored)
    verdict = "known vulnerabilities found" if status else "accepted advisories only" if findings else "no known vulnerability"
    print(f"audit: {verdict} in {len(pins)} pins ({time.monotonic() - started:.1f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())

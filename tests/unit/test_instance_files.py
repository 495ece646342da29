"""The instance folder is private: a fresh `hep demo` (database, queue, secrets, compiled
translations, SQLite's -wal and -shm) leaves nothing that group or others can read, whatever
the umask."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
import urllib.request

from test_cli import _free_port

from hep.instance import private_file, private_folder


def modes(root):
    """{relative path: permission bits} for the folder and everything under it."""
    found = {".": stat.S_IMODE(os.stat(root).st_mode)}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, root)] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


def test_a_running_demo_instance_is_owner_only(tmp_path):
    instance = tmp_path / "instance"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEP_")}
    env["HEP_INSTANCE_PATH"] = str(instance)
    previous = os.umask(0o022)  # the usual umask: files 0644 and folders 0755 unless hep says otherwise
    try:
        process = subprocess.Popen([sys.executable, "-m", "hep.cli", "demo", "--port", str(port)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    finally:
        os.umask(previous)
    try:
        assert process.stdout.readline().startswith("Therapist: ")
        join_url = process.stdout.readline().split(" ", 1)[1].strip()
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(join_url, timeout=5) as page:  # a page in Spanish needs the .mo
            assert page.status == 200
        found = modes(instance)  # while the server and its queue consumer hold their databases open
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
    expected = {"hep.db", "hep.db-wal", "hep.db-shm", "queue.db", "queue.db-wal", "queue.db-shm",
                "secret_key", "vapid_private.pem", "translations/es/LC_MESSAGES/messages.mo"}
    assert expected <= set(found), sorted(found)
    readable_by_others = {path: oct(mode) for path, mode in found.items() if mode & 0o077}
    assert readable_by_others == {}
    assert found["."] == 0o700 and found["hep.db"] == found["hep.db-wal"] == found["queue.db-shm"] == 0o600


def test_private_files_and_folders_ignore_the_umask(tmp_path):
    previous = os.umask(0o000)  # the most permissive: nothing taken away
    try:
        folder = private_folder(tmp_path / "a" / "b")
        made = private_file(folder / "data.db")
    finally:
        os.umask(previous)
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in (tmp_path / "a", folder)} == {"0o700"}
    assert stat.S_IMODE(made.stat().st_mode) == 0o600 and made.stat().st_size == 0


def test_existing_files_and_folders_are_left_as_they_are(tmp_path):
    mine = tmp_path / "shared"
    mine.mkdir(mode=0o750)
    os.chmod(mine, 0o750)
    (mine / "hep.db").write_bytes(b"kept")
    os.chmod(mine / "hep.db", 0o640)
    private_folder(mine)
    private_file(mine / "hep.db")
    assert stat.S_IMODE(mine.stat().st_mode) == 0o750 and (mine / "hep.db").read_bytes() == b"kept"
    assert stat.S_IMODE((mine / "hep.db").stat().st_mode) == 0o640
    assert private_file(tmp_path / "missing" / "x.db") == tmp_path / "missing" / "x.db"  # left for SQLite to report
    assert not (tmp_path / "missing").exists()

"""Real processes for the scale-out tests and the benchmarks: gunicorn, huey consumers, a
private PostgreSQL cluster. Everything started through a :class:`Processes` stack is stopped
when the stack closes, whatever happened in between (SIGTERM, then SIGKILL after a grace).

    with Processes() as procs:
        web = procs.gunicorn("wsgi:app", env, workers=2, threads=4)
        web.wait_ready("/healthz")
        ...
        os.kill(web.worker_pids()[0], signal.SIGKILL)

Output goes to a log file per process (never a pipe nobody reads, which would block it);
``Service.log()`` returns it for assertion messages.
"""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` in KiB (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children_of(pid: int) -> list[int]:
    """The direct child processes of ``pid`` (Linux ``/proc``)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return sorted(found)


class Service:
    """One child process with its log file; ``stop()`` is safe to call twice."""

    def __init__(self, name: str, args: Sequence[str], *, env: Mapping[str, str] | None = None,
                 cwd: Path | str = ROOT, log_dir: Path, user: str | None = None) -> None:
        self.name = name
        self.args = list(args)
        self.env = {**os.environ, **(env or {})}
        self.cwd = str(cwd)
        self.log_path = Path(log_dir) / f"{name}.log"
        self.user = user
        self.process: subprocess.Popen | None = None

    def start(self) -> Service:
        args = (["runuser", "-u", self.user, "--"] + self.args) if self.user else self.args
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(args, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was not started"
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind."""
        if self.alive():
            self.process.kill()
            self.process.wait(10)

    def stop(self, grace: float = 10.0, sig: int = signal.SIGTERM) -> None:
        """Ask the process to stop (``sig``), then kill it and its session after ``grace``."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(10)


class Web(Service):
    """A gunicorn server on 127.0.0.1:``port``."""

    def __init__(self, name: str, app: str, *, port: int, workers: int, threads: int,
                 env: Mapping[str, str] | None, log_dir: Path, chdir: Path = ROOT) -> None:
        args = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--threads", str(threads), "--chdir", str(chdir), "--graceful-timeout", "5",
                "--log-level", "warning", app]
        super().__init__(name, args, env=env, log_dir=log_dir)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def wait_ready(self, path: str = "/healthz", timeout: float = 30.0) -> None:
        """Block until ``path`` answers 200 (gunicorn forks its workers lazily)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited:\n{self.log()}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.log()}")

    def worker_pids(self) -> list[int]:
        return children_of(self.pid)

    def wait_workers(self, count: int, timeout: float = 30.0) -> list[int]:
        """The worker pids once ``count`` of them run (after a kill, gunicorn forks a new one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) >= count:
                return pids
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: {count} workers not running after {timeout} s")



class HepServe(Web):
    """``hep serve`` on 127.0.0.1:``port``: waitress with its threads, one process."""

    def __init__(self, name: str, *, port: int, env: Mapping[str, str] | None, log_dir: Path) -> None:
        hep = Path(sys.executable).with_name("hep")  # the console script beside this interpreter
        Service.__init__(self, name, [str(hep), "serve", "--port", str(port)], env=env, log_dir=log_dir)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"


class PostgresCluster:
    """A private PostgreSQL cluster in a temp dir owned by ``postgres``, on a free port, so it
    can be stopped and started without touching any shared server (``pg_ctl``)."""

    def __init__(self, log_dir: Path) -> None:
        self.bin = _postgres_bin()
        self.data = Path(tempfile.mkdtemp(prefix="hep-pg-"))
        shutil.chown(self.data, "postgres", "postgres")
        os.chmod(self.data, 0o700)
        self.port = free_port()
        self.log_path = self.data / "postgres.log"  # where the postgres user may write
        self.log_dir = Path(log_dir)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=check, capture_output=True,
                              cwd=self.data, timeout=60)

    def init(self) -> PostgresCluster:
        self._run(str(self.bin / "initdb"), "-D", str(self.data / "db"), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8")
        return self

    def start(self) -> PostgresCluster:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.data} -c fsync=off -c max_connections=100"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data / "db"), "-l", str(self.log_path), "-o", options,
                  "-w", "-t", "30", "start")
        self.running = True
        return self

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as when a server restarts."""
        if self.running:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data / "db"), "-m", "fast", "-w", "stop", check=False)
            self.running = False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def remove(self) -> None:
        self.stop()
        if self.log_path.exists():  # kept with the other logs
            shutil.copy(self.log_path, self.log_dir / "postgres.log")
        shutil.rmtree(self.data, ignore_errors=True)


def _postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise FileNotFoundError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return versions[-1].parent


def postgres_available() -> bool:
    """True when a private cluster can be made here (server binaries and a postgres user)."""
    try:
        import pwd

        pwd.getpwnam("postgres")
        _postgres_bin()
    except (KeyError, FileNotFoundError):
        return False
    return shutil.which("runuser") is not None and os.geteuid() == 0


class Processes(ExitStack):
    """A stack of started services, stopped in reverse order on exit."""

    def __init__(self, log_dir: Path | None = None) -> None:
        super().__init__()
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="hep-procs-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def _track(self, service: Service) -> Service:
        self.callback(service.stop)
        return service

    def gunicorn(self, app: str, env: Mapping[str, str] | None = None, *, name: str = "web", workers: int = 2,
                 threads: int = 4, chdir: Path = ROOT) -> Web:
        """gunicorn as the README deploys it (``gunicorn wsgi:app``; 2 workers x 4 threads)."""
        web = Web(name, app, port=free_port(), workers=workers, threads=threads, env=env, log_dir=self.log_dir,
                  chdir=chdir)
        self._track(web).start()
        return web

    def hep_serve(self, env: Mapping[str, str], *, name: str = "hep-serve") -> HepServe:
        """``hep serve`` as one machine runs it (the embedded queue consumer included unless
        ``HEP_EMBEDDED_CONSUMER`` is 0)."""
        server = HepServe(name, port=free_port(), env=env, log_dir=self.log_dir)
        self._track(server).start()
        return server

    def huey_consumer(self, env: Mapping[str, str], *, name: str = "consumer", workers: int = 4) -> Service:
        """``huey_consumer hep.worker.huey`` with thread workers."""
        service = Service(name, [sys.executable, "-m", "huey.bin.huey_consumer", "hep.worker.huey", "-w", str(workers),
                                 "-k", "thread", "-n"], env={"PYTHONPATH": str(ROOT), **env}, log_dir=self.log_dir)
        self._track(service).start()
        return service

    def postgres(self) -> PostgresCluster:
        """A private cluster, initialised and started; removed (data and all) on exit."""
        cluster = PostgresCluster(self.log_dir)
        self.callback(cluster.remove)
        cluster.init().start()
        return cluster

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
                         for path in sorted(self.log_dir.glob("*.log")))

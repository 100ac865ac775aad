"""Real processes and sockets for the fault tests: `flask worker` processes, a
private redis-server that a test may stop and start, and a TCP proxy that a test may
switch off (connections refused) in front of the Zoom sandbox."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.1, message=""):
    """Poll until ``predicate()`` is truthy; its value, or AssertionError after ``timeout``
    (``message`` may be a callable, called then)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s: "
                                 f"{(message() if callable(message) else message) or predicate}")
        time.sleep(interval)


def worker_env(config: dict, portal_url: str = "http://127.0.0.1:9") -> dict:
    """The environment of a `flask worker` process using the test app's config."""
    keys = ("REGISTRATION_JOB_TIMEOUT", "WORKER_ABANDON_GRACE", "WORKER_MAINTENANCE_INTERVAL",
            "REGISTRATION_SWEEP_GRACE", "REGISTRATION_RETRY_BASE")
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": config["REDIS_URL"], "RQ_QUEUE": config["RQ_QUEUE"],
           "SECRET_KEY": config["SECRET_KEY"], "PORTAL_URL": portal_url, "PYTHONUNBUFFERED": "1",
           **{k: str(v) for k, v in config.items() if k.startswith("ZOOM_") or k in keys}}
    if "REGISTRATION_JOB_RETRY_INTERVALS" in config:
        env["REGISTRATION_JOB_RETRY_INTERVALS"] = ",".join(map(str, config["REGISTRATION_JOB_RETRY_INTERVALS"]))
    return env


class Workers:
    """`python -m flask worker` processes, each in its own process group so that a
    kill takes its RQ scheduler child along, as when a machine dies."""

    def __init__(self, config: dict, logs: Path):
        self.env = worker_env(config)
        self.logs = logs
        self.procs: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = open(self.logs / f"worker-{len(self.procs)}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "flask", "worker"], cwd=ROOT, env=self.env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)

    def output(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.logs.glob("worker-*.log")))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                print(f"worker {proc.pid} ignored SIGTERM for 10 s:\n{self.output()}")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


class RedisServer:
    """A private redis-server without persistence: a restart loses every key, the
    worst case for queued jobs."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        conn = Redis.from_url(self.url)

        def ready():
            try:
                return conn.ping()
            except Exception:
                return False
        wait_for(ready, 10, 0.05, "redis-server answering")
        conn.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class TcpProxy:
    """Forwards a loopback port to ``target``; ``down()`` closes it and every open
    connection, so callers get connection refused until ``up()``."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self.lock:
            listener, self.listener = self.listener, None
            conns, self.conns = self.conns, []
        if listener:
            listener.shutdown(socket.SHUT_RDWR)   # wakes the accept() and stops listening
            listener.close()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

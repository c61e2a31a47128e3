"""The reference server as a child process (``reactor-conformance serve``), the way a developer starts it:
its URL and profile, and a stop that always ends it."""

from __future__ import annotations

import importlib.util
import os
import re
import selectors
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STARTUP_GUARD_S = 300  # a hang guard only: a busy machine starts the server in well under a second
STOP_GRACE_S = 30
_LISTENING = re.compile(r"^reference server: (http://\S+)$")


class ServerError(RuntimeError):
    """The server could not be started."""


def project_python() -> str:
    """A Python that has reactor_conformance installed: this one, or the project's .venv."""
    if importlib.util.find_spec("reactor_conformance") is not None:
        return sys.executable
    venv = PROJECT_ROOT / ".venv" / "bin" / "python"
    if venv.is_file():
        return str(venv)
    raise ServerError("reactor_conformance is not installed: run `python3 -m venv --upgrade-deps .venv && "
                      ".venv/bin/pip install -e '.[dev]'` in the project first")


def conformance_command(*args: str) -> list[str]:
    return [project_python(), "-m", "reactor_conformance.cli", *args]


class ServedReference:
    """``reactor-conformance serve --port 0`` in a child process; use as a context manager."""

    def __init__(self, work: Path):
        self.profile_path = work / "served-profile.toml"
        self.log_path = work / "server.log"
        self.base_url = ""
        self.command = conformance_command("serve", "--port", "0", "--profile-out", str(self.profile_path))
        self._process: subprocess.Popen | None = None

    def start(self) -> str:
        """Start the server; returns its base URL once it accepts connections."""
        log = self.log_path.open("w", encoding="utf-8")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("REACTOR_")}  # no fault from outside
        self._process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                                         text=True, env=environment, cwd=PROJECT_ROOT)
        log.close()
        deadline = time.monotonic() + STARTUP_GUARD_S
        with selectors.DefaultSelector() as waiting:
            waiting.register(self._process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not waiting.select(timeout=1):
                    continue
                line = self._process.stdout.readline()
                if not line:
                    break
                found = _LISTENING.match(line.strip())
                if found:
                    self.base_url = found.group(1)
                    return self.base_url
        self.stop()
        raise ServerError(f"the reference server did not start; its log:\n{self.log_path.read_text('utf-8')[-2000:]}")

    def profile(self) -> dict:
        """The profile the server wrote: target, fixtures and every identity's credentials."""
        return tomllib.loads(self.profile_path.read_text("utf-8"))

    def stop(self) -> None:
        """SIGTERM (the server stops cleanly), then SIGKILL if it has not ended after a grace period."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        finally:
            process.stdout.close()

    def __enter__(self) -> ServedReference:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

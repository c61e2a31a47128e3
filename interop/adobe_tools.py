"""Adobe's extension tools as a developer runs them: installed from the lock file, unmodified, each one a
``node`` process. The uploader and the releaser reach the reference server through ``loopback.cjs``
(their Adobe URLs are fixed); they authenticate as they do against Adobe, with IMS client credentials or
an access token, read from their own environment variables."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

INTEROP = Path(__file__).resolve().parent
MODULES = INTEROP / "node_modules" / "@adobe"
PACKAGER = MODULES / "reactor-packager" / "tasks" / "index.js"
UPLOADER = MODULES / "reactor-uploader" / "bin" / "index.js"
RELEASER = MODULES / "reactor-releaser" / "bin" / "index.js"
PRELOAD = INTEROP / "loopback.cjs"
TOOL_HANG_GUARD_S = 1800  # a guard against a hung tool only; each one takes seconds
PACKAGE_ID = re.compile(r"\bEP[0-9a-f]{32}\b")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class ToolMissing(RuntimeError):
    """node or npm is not installed."""


@dataclass(frozen=True)
class Answer:
    """What a tool did: its command line, exit code and output (colour codes removed)."""
    command: list[str]
    code: int
    output: str

    def package_ids(self) -> list[str]:
        return PACKAGE_ID.findall(self.output)


def executable(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"{name} is not installed: Adobe's tools need Node.js 20.17 or later with npm "
                          "(e.g. `apt-get install nodejs npm`)")
    return found


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Answer:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("REACTOR_IO_", "REACTOR_INTEROP_"))}
    environment.update(FORCE_COLOR="0", NO_COLOR="1", **(env or {}))
    try:
        done = subprocess.run(command, cwd=cwd, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=TOOL_HANG_GUARD_S)
    except subprocess.TimeoutExpired as hung:
        output = hung.stdout.decode() if isinstance(hung.stdout, bytes) else hung.stdout or ""
        return Answer(command, -1, _ANSI.sub("", output) + f"\n(hung: no answer in {TOOL_HANG_GUARD_S} s)")
    return Answer(command, done.returncode, _ANSI.sub("", done.stdout).strip())


def node_version() -> Answer:
    return _run([executable("node"), "--version"], INTEROP)


def install() -> Answer:
    """``npm ci``: exactly the versions of the lock file, into interop/node_modules."""
    return _run([executable("npm"), "ci", "--prefer-offline", "--no-audit", "--no-fund"], INTEROP)


def package(extension: Path, zip_path: Path) -> Answer:
    """The packager, run in the extension's folder as its README says; ``--out`` names the zip."""
    return _run([executable("node"), str(PACKAGER), "--out", str(zip_path)], extension)


@dataclass(frozen=True)
class Credentials:
    """Either IMS client credentials or an access token; given to the tools by their own variables."""
    client_id: str = ""
    client_secret: str = ""
    access_token: str = ""

    def environment(self) -> dict[str, str]:
        if self.access_token:
            return {"REACTOR_IO_INTEGRATION_ACCESS_TOKEN": self.access_token}
        return {"REACTOR_IO_INTEGRATION_CLIENT_ID": self.client_id,
                "REACTOR_IO_INTEGRATION_CLIENT_SECRET": self.client_secret}

    def describe(self) -> str:
        return "an access token" if self.access_token else "IMS client credentials"


def _through_loopback(base_url: str, credentials: Credentials) -> dict[str, str]:
    return {"REACTOR_INTEROP_BASE_URL": base_url, **credentials.environment()}


def upload(zip_path: Path, base_url: str, credentials: Credentials, work: Path) -> Answer:
    """The uploader (production environment, its default): a new package, or a re-upload of the one in
    development with the zip's name and platform. ``--verbose`` shows each request and answer (the tool
    masks the bearer token)."""
    command = [executable("node"), "--require", str(PRELOAD), str(UPLOADER), str(zip_path), "--verbose"]
    return _run(command, work, _through_loopback(base_url, credentials))


def release(extension: Path, base_url: str, credentials: Credentials) -> Answer:
    """The releaser, run in the extension's folder (it reads ./extension.json), without its prompt."""
    command = [executable("node"), "--require", str(PRELOAD), str(RELEASER), "--confirm-package-release", "--verbose"]
    return _run(command, extension, _through_loopback(base_url, credentials))

#!/usr/bin/env python3
"""Adobe's own extension tools, unmodified, against the reference server, as an extension developer runs them:

  1. install @adobe/reactor-packager, -uploader and -releaser from package-lock.json (npm ci);
  2. start ``reactor-conformance serve`` on a free loopback port;
  3. package interop/extension/ with the packager;
  4. upload the zip with the uploader (IMS client credentials): a new package in development;
  5. package it again as the next version and re-upload it (access token): the uploader finds the package
     in development and replaces it in place with a multipart PATCH;
  6. release it privately with the releaser (IMS client credentials);
  7. read the package back from the server: private, the re-uploaded version;
  8. run the suite's authorization flow (grant, approve or reject, install, revoke) on that package.

Every step prints what it ran and what the tool answered; the first failure ends the chain with exit code 1
(2 when node or npm is missing). The server is always stopped. Nothing leaves the machine but npm's install.

    python3 interop/run.py [--reports DIR] [-k EXPRESSION]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

# Run as a script (`python interop/run.py`), so its own folder is on sys.path and its siblings import as modules.
import adobe_tools
from adobe_tools import Answer, Credentials, ToolMissing
from served import PROJECT_ROOT, ServedReference, ServerError, conformance_command

EXTENSION = Path(__file__).resolve().parent / "extension"
SUITE_SUBSET = "(lifecycle or create or state or revoke) and not fuzz and not stateful"
RE_UPLOADED_VERSION = "1.0.1"
SUITE_HANG_GUARD_S = 3600  # a guard against a hung run only
REQUEST_HANG_GUARD_S = 300


class ChainFailed(Exception):
    """A step did not do what it must; the message says what was expected and what happened."""


class Chain:
    """Prints each step as it runs: its name, what it ran, what came back, and how long it took."""

    def __init__(self, total: int):
        self.total, self.number, self.started = total, 0, time.monotonic()

    def step(self, title: str):
        self.number += 1
        print(f"\n[{self.number}/{self.total}] {title}", flush=True)
        return _Timed()

    def command(self, command: list[str]) -> None:
        print("  $ " + shlex.join(_shown(part) for part in command), flush=True)

    def show(self, answer: Answer) -> None:
        self.command(answer.command)
        for line in answer.output.splitlines():
            print(f"  | {line}", flush=True)
        print(f"  exit code {answer.code}", flush=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class _Timed:
    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None:
            print(f"  ok ({time.monotonic() - self.started:.1f} s)", flush=True)


def _shown(part: str) -> str:
    return part.replace(str(PROJECT_ROOT) + "/", "")


def succeeded(answer: Answer, what: str, *sentences: str) -> None:
    """The tool exited 0 and said each sentence (a tool may exit 0 after refusing to do anything)."""
    if answer.code != 0:
        raise ChainFailed(f"{what}: the tool exited with {answer.code}")
    for sentence in sentences:
        if sentence not in answer.output:
            raise ChainFailed(f"{what}: the tool did not say {sentence!r}")


def one_package_id(answer: Answer, what: str) -> str:
    found = set(answer.package_ids())
    if len(found) != 1:
        raise ChainFailed(f"{what}: expected the tool to name one extension package ID, it named {sorted(found)}")
    return found.pop()


def bump_version(extension: Path, version: str) -> None:
    manifest_path = extension / "extension.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["version"] = version
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")


def read_package(base_url: str, identity: dict, package_id: str) -> dict:
    """The package as the owner reads it, with every header the documentation names."""
    request = urllib.request.Request(f"{base_url}/extension_packages/{package_id}", headers={
        "Authorization": f"Bearer {identity['access_token']}", "x-api-key": identity["api_key"],
        "x-gw-ims-org-id": identity["org_id"], "Accept": "application/vnd.api+json;revision=1"})
    with urllib.request.urlopen(request, timeout=REQUEST_HANG_GUARD_S) as response:
        return json.loads(response.read())["data"]


def profile_for(served_profile: Path, package_id: str, out: Path) -> Path:
    """The served profile with the uploaded package as ``fixtures.extension_package_id``."""
    text, count = re.subn(r'(?m)^extension_package_id = ".*"$', f'extension_package_id = "{package_id}"',
                          served_profile.read_text("utf-8"))
    if count != 1 or tomllib.loads(text)["fixtures"]["extension_package_id"] != package_id:
        raise ChainFailed(f"the served profile {served_profile} has no single fixtures.extension_package_id")
    out.write_text(text, "utf-8")
    out.chmod(0o600)
    return out


def run_chain(work: Path, reports: Path, subset: str) -> None:
    chain = Chain(total=8)
    with chain.step("install Adobe's tools from package-lock.json"):
        chain.show(adobe_tools.node_version())
        answer = adobe_tools.install()
        chain.show(answer)
        succeeded(answer, "npm ci")

    served = ServedReference(work)
    with chain.step("start the reference server"):
        chain.command(served.command)
        base_url = served.start()
        print(f"  | reference server: {base_url}", flush=True)
    try:
        owner = served.profile()["identities"]["owner"]
        client_credentials = Credentials(client_id=owner["client_id"], client_secret=owner["client_secret"])
        access_token = Credentials(access_token=owner["access_token"])
        extension, dist = work / "extension", work / "dist"
        shutil.copytree(EXTENSION, extension)
        dist.mkdir()
        version = json.loads((extension / "extension.json").read_text("utf-8"))["version"]

        with chain.step(f"package the extension, version {version} (@adobe/reactor-packager)"):
            first_zip = dist / f"package-{version}.zip"
            answer = adobe_tools.package(extension, first_zip)
            chain.show(answer)
            succeeded(answer, "packaging", "wrote archive")

        with chain.step(f"upload it with {client_credentials.describe()} (@adobe/reactor-uploader)"):
            answer = adobe_tools.upload(first_zip, base_url, client_credentials, work)
            chain.show(answer)
            succeeded(answer, "the upload", "A new extension package will be created",
                      "The extension package has been assigned the ID", "successfully processed")
            package_id = one_package_id(answer, "the upload")

        with chain.step(f"package version {RE_UPLOADED_VERSION} and re-upload it with {access_token.describe()} "
                        "(@adobe/reactor-uploader, multipart PATCH)"):
            bump_version(extension, RE_UPLOADED_VERSION)
            second_zip = dist / f"package-{RE_UPLOADED_VERSION}.zip"
            packaged = adobe_tools.package(extension, second_zip)
            chain.show(packaged)
            succeeded(packaged, "packaging again", "wrote archive")
            answer = adobe_tools.upload(second_zip, base_url, access_token, work)
            chain.show(answer)
            succeeded(answer, "the re-upload", "was found on the server and will be updated",
                      "successfully processed")
            if one_package_id(answer, "the re-upload") != package_id:
                raise ChainFailed(f"the re-upload: expected the package {package_id} updated in place")

        with chain.step(f"release it privately with {client_credentials.describe()} (@adobe/reactor-releaser)"):
            answer = adobe_tools.release(extension, base_url, client_credentials)
            chain.show(answer)
            succeeded(answer, "the release", "has been released")
            if one_package_id(answer, "the release") != package_id:
                raise ChainFailed(f"the release: expected {package_id} released")

        with chain.step("read the package back from the server"):
            attributes = read_package(base_url, owner, package_id)["attributes"]
            print(f"  | {package_id}: {attributes['name']} {attributes['version']} {attributes['availability']}",
                  flush=True)
            if (attributes["availability"], attributes["version"]) != ("private", RE_UPLOADED_VERSION):
                raise ChainFailed(f"expected {package_id} private at version {RE_UPLOADED_VERSION}")

        with chain.step(f"the suite's authorization flow on {package_id} (-k \"{subset}\")"):
            profile = profile_for(served.profile_path, package_id, work / "interop-profile.toml")
            command = conformance_command("run", "--profile", str(profile), "--no-fuzz", "-q",
                                          "--reports", str(reports), "-k", subset)
            chain.command(command)
            done = subprocess.run(command, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=SUITE_HANG_GUARD_S)
            for line in done.stdout.strip().splitlines():
                print(f"  | {line}", flush=True)
            print(f"  exit code {done.returncode}", flush=True)
            if done.returncode != 0:
                raise ChainFailed(f"the suite's authorization flow on {package_id} failed (exit {done.returncode})")
    finally:
        served.stop()
        print("\nreference server stopped", flush=True)
    print(f"\nAdobe's tools and the suite passed on {package_id} in {chain.elapsed():.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", default=str(PROJECT_ROOT / "reports"),
                        help="folder receiving the suite run's reports (default: the project's reports/)")
    parser.add_argument("-k", dest="subset", default=SUITE_SUBSET,
                        help=f"which of the suite's tests run on the package (default: {SUITE_SUBSET!r})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reactor-interop-") as work:
        try:
            run_chain(Path(work), Path(args.reports).resolve(), args.subset)
        except ToolMissing as error:
            print(f"\nFAILED: {error}", flush=True)
            return 2
        except (ChainFailed, ServerError, OSError, subprocess.TimeoutExpired) as error:
            print(f"\nFAILED: {error}", flush=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks of the suite and the reference server: figures printed and written to docs/benchmarks.md.

    python benchmarks/run.py [--quick]

Everything is measured side by side in one run on one machine, and compared as ratios, because these
machines are noisy. Loopback only. Needs `wrk` (Debian package) for the load figures and, for the Prism
comparison, `@stoplight/prism-cli` from npm (`npm install --prefix .bench-tools @stoplight/prism-cli`);
a missing tool is reported and its figures skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from reactor_conformance.refserver import server as refserver  # noqa: E402
from reactor_conformance.refserver.store import Store  # noqa: E402

TOOL = [sys.executable, "-m", "reactor_conformance.cli"]
PRISM = [ROOT / ".bench-tools/node_modules/.bin/prism", Path("/tmp/prism/node_modules/.bin/prism")]
JSON_API = "application/vnd.api+json"


# -- helpers -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(command: list, **kw) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - started


class Counting:
    """ASGI wrapper counting the requests the server answers."""

    def __init__(self, app):
        self.app, self.state, self.count = app, app.state, 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.count += 1
        await self.app(scope, receive, send)


def counting_server(**kw):
    """An in-process reference server whose requests are counted (``server.counter.count``)."""
    original = refserver.create_app
    holder = {}

    def wrapped(*args, **kwargs):
        holder["app"] = Counting(original(*args, **kwargs))
        return holder["app"]

    refserver.create_app = wrapped
    try:
        server = refserver.start_server(**kw)
    finally:
        refserver.create_app = original
    server.counter = holder["app"]
    return server


class Serve:
    """``reactor-conformance serve`` in its own process (so its memory is its own)."""

    def __init__(self, db: str | None = None):
        self.port, self.profile = free_port(), Path(tempfile.mkdtemp()) / "profile.toml"
        command = [*TOOL, "serve", "--port", str(self.port), "--profile-out", str(self.profile)]
        if db:
            command += ["--db", db]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.process.stdout.readline()
        self.process.stdout.readline()
        self.base_url = f"http://127.0.0.1:{self.port}"
        import tomllib

        self.data = tomllib.loads(self.profile.read_text())

    def headers(self, identity: str) -> dict:
        who = self.data["identities"][identity]
        return {"Authorization": f"Bearer {who['access_token']}", "x-api-key": who["api_key"],
                "x-gw-ims-org-id": who["org_id"], "Accept": f"{JSON_API};revision=1"}

    def rss_mib(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        self.process.wait(10)


def wrk(url: str, headers: dict, seconds: int, method: str = "GET", body: str | None = None) -> dict:
    """Requests per second and p50/p99 latency (ms) under ``wrk -t1 -c8``."""
    args = ["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    script = None
    if method != "GET":
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(f'wrk.method = "{method}"\nwrk.body = {json.dumps(body)}\n'
                     f'wrk.headers["Content-Type"] = "{JSON_API}"\n')
        script.close()
        args += ["-s", script.name]
    output = subprocess.run([*args, url], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return {"rps": rps, "p50_ms": _latency(output, "50%"), "p99_ms": _latency(output, "99%"),
            "non_2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0}


def _latency(output: str, label: str) -> float:
    value, unit = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


# -- the benchmarks -------------------------------------------------------------------------------
def suite_wall_time(rounds: int) -> dict:
    """The default run, serial and with -n auto, alternated so both see the same machine."""
    serial, parallel = [], []
    with tempfile.TemporaryDirectory() as reports:
        for _ in range(rounds):
            serial.append(timed([*TOOL, "run", "-q", "--reports", reports]))
            parallel.append(timed([*TOOL, "run", "-q", "-n", "auto", "--reports", reports]))
    return {"serial_s": min(serial), "parallel_s": min(parallel), "speedup": min(serial) / min(parallel)}


def fuzz_throughput(examples: int) -> dict:
    """Our fuzz phase (pytest, positive + negative + stateful) against the plain schemathesis CLI, same
    examples per operation, same server; requests counted by the server."""
    results = {}
    with counting_server() as server, tempfile.TemporaryDirectory() as tmp:
        profile = server.write_profile(Path(tmp) / "p.toml")
        owner = server.profile()["identities"]["owner"]
        ours = [sys.executable, "-m", "pytest", str(ROOT / "tests/conformance/test_fuzz.py"),
                str(ROOT / "tests/conformance/test_stateful.py"), "-q", "-p", "no:cacheprovider",
                "--profile", str(profile), "--fuzz-examples", str(examples), "--reports", tmp]
        plain = ["st", "run", str(ROOT / "openapi/reactor.yaml"), "--url", server.base_url, "-n", str(examples),
                 "--seed", "20240723", "--no-color", "-H", f"Authorization: Bearer {owner['access_token']}",
                 "-H", f"x-api-key: {owner['api_key']}", "-H", f"x-gw-ims-org-id: {owner['org_id']}"]
        plain[0] = str(Path(sys.executable).with_name("st"))
        for name, command in (("suite", ours), ("schemathesis_cli", plain)):
            before = server.counter.count
            seconds = timed(command, cwd=ROOT)
            sent = server.counter.count - before
            results[name] = {"requests": sent, "seconds": seconds, "rps": sent / seconds}
    results["ratio"] = results["suite"]["rps"] / results["schemathesis_cli"]["rps"]
    return results


def server_load(seconds: int) -> dict:
    """Reference server against Prism's mock of the same spec, under the same load generator."""
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    server = Serve()
    try:
        package = server.data["fixtures"]["extension_package_id"]
        org = server.data["identities"]["authorized"]["org_id"]
        created = requests.post(f"{server.base_url}/extension_packages/{package}/extension_package_usage_authorizations",
                                headers={**server.headers("owner"), "Content-Type": JSON_API},
                                json={"data": {"type": "extension_package_usage_authorizations",
                                               "attributes": {"authorized_org_id": org}}}, timeout=10).json()
        ea = created["data"]["id"]
        patch_body = json.dumps({"data": {"id": ea, "type": "extension_package_usage_authorizations",
                                          "attributes": {"state": "approved"}}})
        cases = {
            "get_authorization": ("GET", f"/extension_package_usage_authorizations/{ea}", "owner", None),
            "package_list": ("GET", f"/extension_packages/{package}/extension_package_usage_authorizations", "owner",
                             None),
            "patch": ("PATCH", f"/extension_package_usage_authorizations/{ea}", "authorized", patch_body),
        }
        results = {"reference": {name: wrk(server.base_url + path, server.headers(who), seconds, method, body)
                                 for name, (method, path, who, body) in cases.items()}}
    finally:
        server.stop()
    prism = next((p for p in PRISM if p.exists()), None)
    if prism is None:
        results["prism"] = {"skipped": "@stoplight/prism-cli is not installed"}
        return results
    port = free_port()
    process = subprocess.Popen([str(prism), "mock", str(ROOT / "openapi/reactor.yaml"), "-p", str(port),
                                "-h", "127.0.0.1", "--errors"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"http://127.0.0.1:{port}/extension_packages", server.headers("owner"))
        headers = server.headers("owner")
        results["prism"] = {name: wrk(f"http://127.0.0.1:{port}" + path, headers, seconds, method, body)
                            for name, (method, path, who, body) in cases.items()}
    finally:
        process.terminate()
        process.wait(10)
    results["ratio"] = {name: results["reference"][name]["rps"] / results["prism"][name]["rps"]
                        for name in results["prism"]}
    return results


def _wait_for(url: str, headers: dict, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, headers=headers, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} never answered")


def list_scaling(sizes: list[int], seconds: int) -> dict:
    """Package-scoped list latency and server memory with many stored authorizations."""
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db = str(Path(tmp) / "reactor.sqlite")
            Serve(db).stop()  # seeds the world into the file
            _fill(db, size)
            server = Serve(db)
            try:
                package = server.data["fixtures"]["extension_package_id"]
                base = f"{server.base_url}/extension_packages/{package}/extension_package_usage_authorizations"
                first = wrk(base + "?page[size]=25", server.headers("owner"), seconds)
                middle = wrk(base + f"?page[size]=25&page[number]={max(1, size // 50)}", server.headers("owner"),
                             seconds)
                results[size] = {"first_page": first, "middle_page": middle, "rss_mib": server.rss_mib()}
            finally:
                server.stop()
    base, top = results[sizes[0]], results[sizes[-1]]
    results["p50_ratio_largest_to_smallest"] = top["first_page"]["p50_ms"] / base["first_page"]["p50_ms"]
    return results


def _fill(db: str, count: int) -> None:
    """``count`` authorizations of the fixture package, each to an org of its own (one per org and package)."""
    store = Store(db)
    package = store.package(_fixture_package(store))
    owner = next(u for u in store._users.values() if u.org_id == package["owner_org_id"] and u.develop_extensions)
    with store._lock:  # one transaction: the figures are about reading, not about filling
        store._db.execute("BEGIN")
        for i in range(count):
            store._db.execute("INSERT INTO orgs VALUES (?, ?)", (f"{i:024X}@AdobeOrg", f"Bench org {i}"))
            store.create_authorization(package, f"{i:024X}@AdobeOrg", owner)
        store._db.execute("COMMIT")
    store.close()


def _fixture_package(store: Store) -> str:
    row = store._one("SELECT id FROM packages WHERE name = 'acme-private' ORDER BY created_at LIMIT 1")
    return row[0]


# -- report ---------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter load windows and fewer rounds")
    parser.add_argument("--out", default=str(ROOT / "docs/benchmarks.md"))
    args = parser.parse_args()
    seconds, rounds = (3, 1) if args.quick else (5, 2)
    figures = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "suite": suite_wall_time(rounds),
        "fuzz": fuzz_throughput(10),
        "server": server_load(seconds),
        "list_scaling": list_scaling([100, 10_000, 100_000], seconds),
    }
    print(json.dumps(figures, indent=2))
    Path(args.out).write_text(render(figures), "utf-8")
    Path(args.out).with_suffix(".json").write_text(json.dumps(figures, indent=2), "utf-8")
    print(f"written to {args.out}")


def render(f: dict) -> str:
    suite, fuzz, server, scaling = f["suite"], f["fuzz"], f["server"], f["list_scaling"]
    lines = ["# Benchmarks", "",
             "Regenerate with `python benchmarks/run.py` (needs `wrk`; Prism from npm for the mock comparison). "
             "All figures come from one run on one machine "
             f"({f['machine']['cpus']} CPUs, Python {f['machine']['python']}); compare the ratios, not the absolutes.",
             "", "## The suite", "",
             "| run | wall time |", "|---|---|",
             f"| `reactor-conformance run` (scenarios + default fuzz budget), serial | {suite['serial_s']:.1f} s |",
             f"| the same with `-n auto` | {suite['parallel_s']:.1f} s |",
             f"| speed-up | {suite['speedup']:.2f}× |", "",
             "## Fuzzing: our layer against the plain schemathesis CLI", "",
             "Same spec, same server, 10 examples per operation; requests counted by the server; wall time of the "
             "whole command (process start included).", "",
             "| runner | requests | seconds | requests/s |", "|---|---|---|---|"]
    for name in ("suite", "schemathesis_cli"):
        r = fuzz[name]
        lines.append(f"| {name.replace('_', ' ')} | {r['requests']} | {r['seconds']:.1f} | {r['rps']:.0f} |")
    lines += ["", f"Ratio (ours / plain CLI): **{fuzz['ratio']:.2f}**", ""]
    lines += ["## The reference server against Prism's mock", "",
              "`wrk -t1 -c8`, loopback, both serving `openapi/reactor.yaml`.", ""]
    if "skipped" in server:
        lines.append(f"Skipped: {server['skipped']}")
    else:
        lines += ["| endpoint | reference req/s | p50 ms | p99 ms | Prism req/s | p50 ms | p99 ms | ratio |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, r in server["reference"].items():
            p = server.get("prism", {}).get(name) if isinstance(server.get("prism"), dict) else None
            if p and "rps" in p:
                lines.append(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {p['rps']:.0f} | "
                             f"{p['p50_ms']:.2f} | {p['p99_ms']:.2f} | {server['ratio'][name]:.2f}× |")
            else:
                lines.append(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | — | — | — | — |")
    lines += ["", "## List latency and memory by stored authorizations", "",
              "| stored | first page p50 ms | p99 ms | middle page p50 ms | req/s | server RSS MiB |",
              "|---|---|---|---|---|---|"]
    for size, r in scaling.items():
        if isinstance(size, int) or str(size).isdigit():
            lines.append(f"| {int(size):,} | {r['first_page']['p50_ms']:.2f} | {r['first_page']['p99_ms']:.2f} | "
                         f"{r['middle_page']['p50_ms']:.2f} | {r['first_page']['rps']:.0f} | {r['rss_mib']:.0f} |")
    lines += ["", f"p50 at the largest size / p50 at the smallest: **{scaling['p50_ratio_largest_to_smallest']:.2f}**",
              ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

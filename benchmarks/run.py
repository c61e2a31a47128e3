"""Benchmarks of the suite and the reference server: figures printed and written to docs/benchmarks.md.

    python benchmarks/run.py [--quick] [--rounds N]

Everything is measured side by side in one run on one machine, and compared as ratios, because these
machines are shared and noisy: the runs being compared alternate, round after round, and each figure is the
median of its rounds. Loopback only. The tools are looked up on PATH and beside the running Python (a
virtual environment's ``bin/``): ``st`` (schemathesis, installed with the project) for the fuzzing
comparison, ``wrk`` (Debian package) for the load figures and ``prism`` (``@stoplight/prism-cli`` from npm,
globally or under ``.bench-tools/``: ``npm install --prefix .bench-tools @stoplight/prism-cli``) for the mock
comparison (or the pinned one ``examples/prism`` installs); a missing tool is reported and its figures
skipped. Nothing here asserts: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from reactor_conformance import JSON_API
from reactor_conformance.harness.run_config import DEFAULT_FUZZ_EXAMPLES, DEFAULT_FUZZ_SEED
from reactor_conformance.refserver import server as refserver
from reactor_conformance.refserver.store import Store

ROOT = Path(__file__).resolve().parents[1]

TOOL = [sys.executable, "-m", "reactor_conformance.cli"]


def find_tool(name: str, *also: Path) -> str | None:
    """``name`` beside the running Python (its virtual environment), on PATH, or at one of ``also``."""
    beside = Path(sys.executable).with_name(name)
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found:
        return found
    return next((str(path) for path in also if path.is_file() and os.access(path, os.X_OK)), None)


def machine() -> dict:
    """What the figures were measured on."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "python": sys.version.split()[0],
            "system": f"{platform.system()} {platform.release()}"}


# -- helpers -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(command: list, **kw) -> float:
    return measured(command, **kw)["seconds"]


def measured(command: list, **kw) -> dict:
    """Wall time and CPU time (user + system, the command and its children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": seconds, "cpu_s": cpu, "exit_code": completed.returncode}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


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
        self.process.send_signal(signal.SIGTERM)  # SIGINT is ignored by a job a shell script starts in the background
        self.process.wait(10)


def wrk(url: str, headers: dict, seconds: int, method: str = "GET", body: str | None = None) -> dict:
    """Requests per second and p50/p99 latency (ms) under ``wrk -t1 -c8``."""
    args = [find_tool("wrk"), "-t1", "-c8", f"-d{seconds}s", "--latency"]
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
def side_by_side(rounds: int, examples: int = DEFAULT_FUZZ_EXAMPLES) -> dict:
    """The suite against the plain schemathesis CLI, round after round in alternation:

    - ``schemathesis_cli``: ``st run`` on the spec, as the owner, ``examples`` per operation (all its phases:
      examples, coverage, fuzzing, stateful), against an in-process reference server that counts requests;
    - ``suite_fuzz``: our fuzzing alone (``reactor-conformance run -k "fuzz or stateful"``: FUZZ-01..04, every
      operation as each identity allowed to call it), same server, same examples per operation;
    - ``default_run``: ``reactor-conformance run`` as a user types it (scenarios + fuzzing, embedded server, one
      worker per CPU up to four);
    - ``default_run_serial``: the same with ``-n 0``.
    """
    st = find_tool("st")
    runs: dict[str, list[dict]] = {"schemathesis_cli": [], "suite_fuzz": [], "default_run": [],
                                   "default_run_serial": []}
    with counting_server() as server, tempfile.TemporaryDirectory() as tmp:
        profile = server.write_profile(Path(tmp) / "p.toml")
        owner = server.profile()["identities"]["owner"]
        reports = str(Path(tmp) / "reports")
        commands = {
            "suite_fuzz": [*TOOL, "run", "-q", "--profile", str(profile), "--fuzz-examples", str(examples),
                           "--reports", reports, "-k", "fuzz or stateful"],
            "default_run": [*TOOL, "run", "-q", "--reports", reports],
            "default_run_serial": [*TOOL, "run", "-q", "-n", "0", "--reports", reports],
        }
        if st:
            commands["schemathesis_cli"] = [
                st, "run", str(ROOT / "openapi/reactor.yaml"), "--url", server.base_url, "-n", str(examples),
                "--seed", str(DEFAULT_FUZZ_SEED), "--no-color",
                "-H", f"Authorization: Bearer {owner['access_token']}", "-H", f"x-api-key: {owner['api_key']}",
                "-H", f"x-gw-ims-org-id: {owner['org_id']}"]
        for _ in range(rounds):
            for name, command in commands.items():
                before = server.counter.count
                figures = measured(command, cwd=ROOT)
                figures["requests"] = server.counter.count - before
                runs[name].append(figures)
    result: dict = {"rounds": rounds, "examples": examples, "runs": {}}
    for name, measurements in runs.items():
        if not measurements:
            continue
        seconds = median([m["seconds"] for m in measurements])
        requests_sent = median([m["requests"] for m in measurements])
        result["runs"][name] = {
            "seconds": seconds, "min_seconds": min(m["seconds"] for m in measurements),
            "cpu_s": median([m["cpu_s"] for m in measurements]), "requests": requests_sent,
            "rps": requests_sent / seconds if requests_sent else None,
            "exit_codes": sorted({m["exit_code"] for m in measurements}),
        }
    figures = result["runs"]
    if not st:
        result["skipped"] = "schemathesis's `st` is not installed: no comparison with the plain CLI"
        return result
    cli, fuzz, default = figures["schemathesis_cli"], figures["suite_fuzz"], figures["default_run"]
    result["ratios"] = {
        "fuzz_rps_ours_to_cli": fuzz["rps"] / cli["rps"],
        "fuzz_time_ours_to_cli": fuzz["seconds"] / cli["seconds"],
        "fuzz_cpu_ours_to_cli": fuzz["cpu_s"] / cli["cpu_s"],
        "default_run_time_to_cli": default["seconds"] / cli["seconds"],
        "default_run_cpu_to_cli": default["cpu_s"] / cli["cpu_s"],
        "serial_run_time_to_cli": figures["default_run_serial"]["seconds"] / cli["seconds"],
        "parallel_speedup": figures["default_run_serial"]["seconds"] / default["seconds"],
    }
    return result


def cli_phases(examples: int = DEFAULT_FUZZ_EXAMPLES) -> dict:
    """What the plain CLI's run is made of: each of its phases alone, requests counted by the server."""
    st = find_tool("st")
    if not st:
        return {"skipped": "schemathesis's `st` is not installed"}
    phases = {}
    with counting_server() as server:
        owner = server.profile()["identities"]["owner"]
        for phase in ("examples", "coverage", "fuzzing", "stateful"):
            command = [st, "run", str(ROOT / "openapi/reactor.yaml"), "--url", server.base_url, "-n", str(examples),
                       "--seed", str(DEFAULT_FUZZ_SEED), "--no-color", "--phases", phase,
                       "-H", f"Authorization: Bearer {owner['access_token']}", "-H", f"x-api-key: {owner['api_key']}",
                       "-H", f"x-gw-ims-org-id: {owner['org_id']}"]
            before = server.counter.count
            figures = measured(command, cwd=ROOT)
            phases[phase] = {"requests": server.counter.count - before, "seconds": figures["seconds"],
                             "cpu_s": figures["cpu_s"]}
    return phases


def server_load(seconds: int) -> dict:
    """Reference server against Prism's mock of the same spec, under the same load generator."""
    if not find_tool("wrk"):
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
    prism = find_tool("prism", ROOT / "examples/prism/node_modules/.bin/prism",
                      ROOT / ".bench-tools/node_modules/.bin/prism")
    if prism is None:
        results["prism"] = {"skipped": "@stoplight/prism-cli is not installed (no `prism` on PATH or in .bench-tools)"}
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
    if not find_tool("wrk"):
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
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


# -- a distant target, the proof of the suite, the test command --------------------------------------------------------
def summary_of(reports: Path) -> dict:
    runs = sorted(path for path in reports.iterdir() if path.is_dir() and not path.is_symlink())
    return json.loads((runs[-1] / "summary.json").read_text("utf-8"))


def distant(rounds: int, latency_ms: int = 100, workers: int = 8) -> dict:
    """The default run against a target ``latency_ms`` away (``serve --latency``, eight fixture packages in its
    profile): serially and with ``-n workers``, alternated round after round against one server; the median of
    each."""
    runs: dict[str, list[dict]] = {"serial": [], f"-n {workers}": []}
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile.toml"
        server = subprocess.Popen([*TOOL, "serve", "--port", "0", "--latency", str(latency_ms),
                                   "--profile-out", str(profile)], stdout=subprocess.PIPE, text=True)
        try:
            base_url = server.stdout.readline().split()[-1]
            for number in range(rounds):
                for name, extra in (("serial", []), (f"-n {workers}", ["-n", str(workers)])):
                    reports = Path(tmp) / f"{name.replace(' ', '')}-{number}"
                    figures = measured([*TOOL, "run", "-q", "--target", base_url, "--profile", str(profile),
                                        "--reports", str(reports), *extra], cwd=ROOT)
                    figures["requests"] = summary_of(reports)["requests"]["sent"]
                    runs[name].append(figures)
        finally:
            server.terminate()
            server.wait()
    result = {"latency_ms": latency_ms, "workers": workers, "rounds": rounds,
              "runs": {name: {"seconds": median([m["seconds"] for m in values]),
                              "requests": int(median([m["requests"] for m in values]))}
                       for name, values in runs.items()}}
    result["speedup"] = result["runs"]["serial"]["seconds"] / result["runs"][f"-n {workers}"]["seconds"]
    return result


def proof(rounds: int) -> dict:
    """``reactor-conformance faults`` (the proof: its fault and variant tables) against the default run, alternated."""
    runs: dict[str, list[dict]] = {"default_run": [], "default_run_serial": [], "faults": []}
    with tempfile.TemporaryDirectory() as tmp:
        commands = {"default_run": [*TOOL, "run", "-q", "--reports", str(Path(tmp) / "reports")],
                    "default_run_serial": [*TOOL, "run", "-q", "-n", "0", "--reports", str(Path(tmp) / "reports")],
                    "faults": [*TOOL, "faults", "--out", str(Path(tmp) / "proof.md")]}
        for _ in range(rounds):
            for name, command in commands.items():
                runs[name].append(measured(command, cwd=ROOT))
    result = {"rounds": rounds, "runs": {name: {"seconds": median([m["seconds"] for m in values]),
                                                "exit_codes": sorted({m["exit_code"] for m in values})}
                                         for name, values in runs.items()}}
    result["faults_to_default_run"] = result["runs"]["faults"]["seconds"] / result["runs"]["default_run"]["seconds"]
    result["faults_to_serial_run"] = result["runs"]["faults"]["seconds"] / result["runs"]["default_run_serial"]["seconds"]
    return result


INSTALL = "python3 -m venv --upgrade-deps .venv && .venv/bin/pip install -q -c requirements.lock -e '.[dev]'"  # the README's
# The parts of the test command that other requirements of the project put there, by test module: the proof
# of the suite, the suite against Prism, the chain of Adobe's tools. The other modules are "the other tests".
REQUIRED_PARTS = {"tests/self/test_proof.py": "the proof (its fault and variant runs)",
                  "tests/self/test_prism.py": "Prism: npm ci, its mock, the suite's run against it",
                  "tests/self/test_interop.py": "Adobe's tools: npm ci, the chain, the suite's flow"}
OTHER_PARTS = {"tests/self/test_runs.py": "the tool's runs (profile, regression, interrupted, read-only …)",
               "tests/self/test_bad_input.py": "bad input to the tool (a fresh process each)"}


def test_command(default_rounds: int = 3) -> dict:
    """The README's test command on a fresh clone of this checkout (its committed state): the install, the tests,
    and the default run measured in the same clone after them (the median of ``default_rounds``: one run right
    after a long burst of work is the least steady figure of all). The tests run with ``cpu_by_test``, so the
    figures also say where their CPU time goes."""
    with tempfile.TemporaryDirectory() as tmp:
        clone, log = Path(tmp) / "clone", Path(tmp) / "cpu.jsonl"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        python = clone / ".venv" / "bin" / "python"
        install = measured(["bash", "-c", INSTALL], cwd=clone)
        probe = {**os.environ, "PYTHONPATH": str(clone / "benchmarks"), "REACTOR_BENCH_CPU_LOG": str(log)}
        tests = measured([str(python), "-m", "pytest", "-n", "3", "-q", "-p", "no:cacheprovider", "-p", "cpu_by_test"],
                         cwd=clone, env=probe)
        per_test = [json.loads(line) for line in log.read_text("utf-8").splitlines()] if log.is_file() else []
        defaults = [measured([str(python), "-m", "reactor_conformance.cli", "run", "-q"], cwd=clone)
                    for _ in range(default_rounds)]
    default = sorted(defaults, key=lambda m: m["seconds"])[len(defaults) // 2]
    whole = install["seconds"] + tests["seconds"]
    by_part = cpu_by_part(per_test, tests["cpu_s"])
    return {"install": install, "tests": tests, "default_run": default, "whole_s": whole,
            "whole_to_default_run": whole / default["seconds"], "tests_to_default_run": tests["seconds"] / default["seconds"],
            "cpu_by_part": by_part, "required_floor": required_floor(install, by_part, default, machine()["cpus"])}


def cpu_by_part(per_test: list[dict], total_cpu_s: float) -> dict:
    """CPU seconds of the test command by part: the required ones, the other big modules, the rest, and what no
    test spent (the workers' start and collection)."""
    parts = {label: 0.0 for label in (*REQUIRED_PARTS.values(), *OTHER_PARTS.values(), "the other tests")}
    for record in per_test:
        module = record["test"].split("::", 1)[0]
        parts[REQUIRED_PARTS.get(module) or OTHER_PARTS.get(module) or "the other tests"] += record["cpu_s"]
    parts["starting and collecting the workers"] = total_cpu_s - sum(parts.values())
    return parts


def required_floor(install: dict, by_part: dict, default_run: dict, cpus: int) -> dict:
    """The least time the test command could take with only its required parts: the install, then their CPU time
    spread over every CPU with none idle — and that as a multiple of the default run."""
    required = sum(by_part[label] for label in REQUIRED_PARTS.values())
    seconds = install["seconds"] + required / cpus
    return {"required_cpu_s": required, "seconds": seconds, "to_default_run": seconds / default_run["seconds"]}


# -- report ---------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter load windows, one round, no list scaling")
    parser.add_argument("--rounds", type=int, help="rounds of the side-by-side runs (default 3, --quick 1)")
    parser.add_argument("--only-suite", action="store_true", help="only the suite against the plain CLI")
    parser.add_argument("--skip", action="append", default=[], choices=("distant", "proof", "test-command"),
                        help="leave out a long section (repeatable)")
    parser.add_argument("--out", default=str(ROOT / "docs/benchmarks.md"))
    args = parser.parse_args()
    seconds, rounds = (3, 1) if args.quick else (5, 3)
    rounds = args.rounds or rounds
    figures = {"machine": machine(), "suite": side_by_side(rounds)}
    if not args.quick:
        figures["cli_phases"] = cli_phases()
    print_suite(figures)
    if not args.only_suite:
        if "distant" not in args.skip:
            figures["distant"] = distant(1 if args.quick else 2)
        if "proof" not in args.skip:
            figures["proof"] = proof(1 if args.quick else 2)
        if "test-command" not in args.skip:
            figures["test_command"] = test_command()
        print_more(figures)
        figures["server"] = server_load(seconds)
        figures["list_scaling"] = list_scaling([100, 10_000] if args.quick else [100, 10_000, 100_000], seconds)
    print(json.dumps(figures, indent=2))
    Path(args.out).write_text(render(figures), "utf-8")
    Path(args.out).with_suffix(".json").write_text(json.dumps(figures, indent=2), "utf-8")
    print(f"written to {args.out}")


def print_suite(f: dict) -> None:
    suite = f["suite"]
    print(f"machine: {f['machine']['cpu']}, {f['machine']['cpus']} CPUs, Python {f['machine']['python']}")
    print(f"median of {suite['rounds']} alternating rounds, {suite['examples']} examples per operation")
    for name, r in suite["runs"].items():
        rps = f"{r['rps']:.0f} req/s" if r.get("rps") else ""
        print(f"  {name:22s} {r['seconds']:6.1f} s  cpu {r['cpu_s']:6.1f} s  {int(r['requests'] or 0):5d} requests  {rps}")
    for name, value in suite.get("ratios", {}).items():
        print(f"  {name:32s} {value:.2f}")
    for name, r in (f.get("cli_phases") or {}).items():
        if isinstance(r, dict):
            print(f"  CLI phase {name:12s} {r['requests']:5d} requests  {r['seconds']:5.1f} s")
    if "skipped" in suite:
        print(f"  {suite['skipped']}")


def print_more(f: dict) -> None:
    if "distant" in f:
        d = f["distant"]
        for name, r in d["runs"].items():
            print(f"  {d['latency_ms']} ms away, {name:8s} {r['seconds']:6.1f} s  {r['requests']} requests")
        print(f"  speed-up of -n {d['workers']}: {d['speedup']:.2f}x")
    if "proof" in f:
        print(f"  faults (both matrices) {f['proof']['runs']['faults']['seconds']:.1f} s, default run "
              f"{f['proof']['runs']['default_run']['seconds']:.1f} s: {f['proof']['faults_to_default_run']:.2f}x "
              f"(serial run: {f['proof']['faults_to_serial_run']:.2f}x)")
    if "test_command" in f:
        t = f["test_command"]
        print(f"  test command on a fresh clone: install {t['install']['seconds']:.0f} s + tests "
              f"{t['tests']['seconds']:.0f} s = {t['whole_s']:.0f} s, {t['whole_to_default_run']:.1f}x the default run "
              f"({t['default_run']['seconds']:.1f} s)")
        for label, cpu_s in t.get("cpu_by_part", {}).items():
            print(f"    {cpu_s:6.1f} CPU-s  {label}")
        if "required_floor" in t:
            floor = t["required_floor"]
            print(f"  the install and the required parts alone, every CPU busy: {floor['seconds']:.0f} s, "
                  f"{floor['to_default_run']:.1f}x the default run")


RUN_LABELS = {
    "schemathesis_cli": "plain schemathesis CLI (`st run`, all its phases)",
    "suite_fuzz": "our fuzzing (`reactor-conformance run -k \"fuzz or stateful\"`)",
    "default_run": "`reactor-conformance run` (scenarios + fuzzing, embedded server, a worker per CPU)",
    "default_run_serial": "the same with `-n 0` (serial)",
}


def render(f: dict) -> str:
    suite, m = f["suite"], f["machine"]
    lines = ["# Benchmarks", "",
             "Regenerate with `python benchmarks/run.py` (`--quick` for a short pass, `--only-suite` for the first "
             "section alone; `wrk` for the load figures, Prism from npm for the mock comparison). All figures come "
             f"from one run on one machine: **{m['cpu']}, {m['cpus']} CPUs**, Python {m['python']}, {m['system']}. "
             "The machine is shared, so absolute times move from run to run: compare the ratios, which come from "
             "runs alternated round after round (the median of each).", "",
             "## The suite against the plain schemathesis CLI", "",
             f"Same spec, same server, {suite['examples']} examples per operation, seed as the suite's; requests "
             "counted by the server (the default run's embedded server is not counted); wall time and CPU time "
             "(user + system) of the whole command, process start included; median of "
             f"{suite['rounds']} rounds.", "",
             "| run | requests | wall s | CPU s | requests/s |", "|---|---|---|---|---|"]
    for name, r in suite["runs"].items():
        requests_sent = f"{int(r['requests'])}" if r.get("requests") else "—"
        rps = f"{r['rps']:.0f}" if r.get("rps") else "—"
        lines.append(f"| {RUN_LABELS.get(name, name)} | {requests_sent} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | {rps} |")
    ratios = suite.get("ratios")
    if ratios:
        lines += ["", "| ratio | value |", "|---|---|",
                  f"| fuzzing, requests/s, ours / CLI | **{ratios['fuzz_rps_ours_to_cli']:.2f}** |",
                  f"| fuzzing, wall time, ours / CLI | {ratios['fuzz_time_ours_to_cli']:.2f} |",
                  f"| fuzzing, CPU time, ours / CLI | {ratios['fuzz_cpu_ours_to_cli']:.2f} |",
                  f"| default run (scenarios included), wall time / CLI | **{ratios['default_run_time_to_cli']:.2f}** |",
                  f"| default run, CPU time / CLI | {ratios['default_run_cpu_to_cli']:.2f} |",
                  f"| serial run (`-n 0`), wall time / CLI | {ratios['serial_run_time_to_cli']:.2f} |",
                  f"| speed-up of the default run's workers over `-n 0` | {ratios['parallel_speedup']:.2f}× |"]
    elif "skipped" in suite:
        lines += ["", f"Skipped: {suite['skipped']}"]
    phases = f.get("cli_phases")
    if phases and "skipped" not in phases:
        lines += ["", "What the CLI's run is made of — each of its phases alone (`st run --phases NAME`, one worker, "
                  "process start included in each):", "", "| CLI phase | requests | wall s | CPU s |", "|---|---|---|---|"]
        for name, r in phases.items():
            lines.append(f"| {name} | {r['requests']} | {r['seconds']:.1f} | {r['cpu_s']:.1f} |")
        lines += ["", "Most of its requests are the coverage phase's deterministic cases (boundary values, wrong types, "
                  "missing parameters, undeclared methods), which cost no search; its fuzzing phase draws "
                  f"{suite['examples']} cases per operation from positive and negative strategies together. Our "
                  "fuzzing sends the coverage cases too (less those whose only fault would be in the credentials or "
                  "the path's IDs, which other requirements test), then as many drawn cases, half in each mode "
                  "(D41), for each identity allowed to call the operation, with real IDs in the paths, and the "
                  "FUZZ-04 link sequences; the default run adds the scenario tests."]
    lines += render_more(f)
    server, scaling = f.get("server"), f.get("list_scaling")
    if server is not None:
        lines += ["", "## The reference server against Prism's mock", "",
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
            if isinstance(server.get("prism"), dict) and "skipped" in server["prism"]:
                lines += ["", f"Prism: skipped, {server['prism']['skipped']}"]
    if scaling is not None and "skipped" in scaling:
        lines += ["", "## List latency and memory by stored authorizations", "", f"Skipped: {scaling['skipped']}", ""]
    elif scaling is not None:
        lines += ["", "## List latency and memory by stored authorizations", "",
                  "| stored | first page p50 ms | p99 ms | middle page p50 ms | req/s | server RSS MiB |",
                  "|---|---|---|---|---|---|"]
        for size, r in scaling.items():
            if isinstance(size, int) or str(size).isdigit():
                lines.append(f"| {int(size):,} | {r['first_page']['p50_ms']:.2f} | {r['first_page']['p99_ms']:.2f} | "
                             f"{r['middle_page']['p50_ms']:.2f} | {r['first_page']['rps']:.0f} | {r['rss_mib']:.0f} |")
        lines += ["", f"p50 at the largest size / p50 at the smallest: "
                      f"**{scaling['p50_ratio_largest_to_smallest']:.2f}**", ""]
    return "\n".join(lines) + "\n"


def render_more(f: dict) -> list[str]:
    lines = []
    if "distant" in f:
        d = f["distant"]
        lines += ["", f"## A target {d['latency_ms']} ms away", "",
                  f"`reactor-conformance serve --latency {d['latency_ms']}` (eight fixture packages in its profile), the "
                  "default run through `--target --profile`, serially and with parallel workers, alternated against one "
                  f"server, median of {d.get('rounds', 1)} rounds.", "",
                  "| run | wall s | requests |", "|---|---|---|"]
        lines += [f"| {name} | {r['seconds']:.1f} | {r['requests']} |" for name, r in d["runs"].items()]
        lines += ["", f"Speed-up of `-n {d['workers']}` over the serial run: **{d['speedup']:.2f}×**."]
    if "proof" in f:
        p = f["proof"]
        lines += ["", "## The proof of the suite", "",
                  f"`reactor-conformance faults` (every fault, every variant alone and all at once) and the default run, "
                  f"alternated, median of {p['rounds']} rounds.", "", "| run | wall s |", "|---|---|"]
        lines += [f"| {name} | {r['seconds']:.1f} |" for name, r in p["runs"].items()]
        lines += ["", f"The matrices take **{p['faults_to_default_run']:.2f}×** the default run "
                  f"({p['faults_to_serial_run']:.2f}× the serial run, `-n 0`); they use every CPU, as the default run does."]
    if "test_command" in f:
        t = f["test_command"]
        lines += ["", "## The README's test command", "",
                  f"On a fresh clone, one run: the install (`{INSTALL.replace(' -q', '')}`), "
                  "then `.venv/bin/python -m pytest -n 3`, then the default run in the same clone (the median of "
                  "three runs).", "",
                  "| step | wall s |", "|---|---|",
                  f"| install | {t['install']['seconds']:.0f} |", f"| tests | {t['tests']['seconds']:.0f} |",
                  f"| default run | {t['default_run']['seconds']:.1f} |", "",
                  f"Install and tests together take **{t['whole_to_default_run']:.1f}×** the default run "
                  f"(the tests alone {t['tests_to_default_run']:.1f}×)."]
        if "required_floor" in t:
            floor = t["required_floor"]
            lines += ["", f"Where the tests' {t['tests']['cpu_s']:.0f} CPU seconds go (each test's own and its child "
                      "processes' CPU time, measured by `benchmarks/cpu_by_test.py`; what no test spent is the "
                      "workers' start and collection):", "", "| part | CPU s |", "|---|---|"]
            lines += [f"| {label} | {cpu_s:.1f} |" for label, cpu_s in t["cpu_by_part"].items()]
            lines += ["", f"The first three parts are required in the test command by the project's own "
                      f"requirements. With only the install and those three parts, on {f['machine']['cpus']} CPUs with "
                      f"none idle, the test command would take {floor['seconds']:.0f} s: "
                      f"**{floor['to_default_run']:.1f}×** the default run."]
    return lines


if __name__ == "__main__":
    main()

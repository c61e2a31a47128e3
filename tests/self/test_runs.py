"""Whole runs of the tool against the reference server, as a platform team would make them: through a
profile, with IMS client credentials, compared night to night, interrupted and cleaned up."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import requests
import tomli_w
from suite_runs import REQUEST_HANG_GUARD_S, tool

from reactor_conformance.harness.plugin import embedded_workers, usable_cpus
from reactor_conformance.refserver.server import start_server
from reactor_conformance.reporting.summary import load_summary
from reactor_conformance.shapes import errors as schema_errors


def write_profile(path: Path, server, *, client_credentials: tuple[str, ...] = ()) -> Path:
    """A profile as a person would write one for a real target: tokens and client credentials, except for the
    ``client_credentials`` identities, which have client credentials alone: their every token comes from IMS."""
    profile = server.profile()
    for name in client_credentials:
        del profile["identities"][name]["access_token"]
    path.write_text(tomli_w.dumps(profile), "utf-8")
    return path


def secrets_of(profile: Path) -> list[str]:
    found = []
    for identity in tomllib.loads(profile.read_text("utf-8"))["identities"].values():
        found += [identity[key] for key in ("access_token", "api_key", "client_secret") if key in identity]
    return found


@pytest.fixture(scope="module")
def server():
    with start_server(token_ttl=1) as running:  # IMS tokens expire within every run
        yield running


@pytest.fixture(scope="module")
def ims_profile(server, tmp_path_factory) -> Path:
    """The owner and the outsider with client credentials alone (their tokens, from IMS, expire within every run),
    the other identities with tokens and client credentials."""
    return write_profile(tmp_path_factory.mktemp("profile") / "target.toml", server,
                         client_credentials=("owner", "outsider"))


@pytest.fixture(scope="module")
def profile_run(server, ims_profile, tmp_path_factory):
    """The whole suite through that profile."""
    reports = tmp_path_factory.mktemp("profile-run") / "reports"
    return tool("run", "--target", server.base_url, "--profile", str(ims_profile), "--exchanges", "all",
                reports=reports)


def test_a_run_through_a_profile_passes_like_the_embedded_default(profile_run):
    assert profile_run.code == 0, profile_run.stdout[-3000:]
    summary = profile_run.summary
    assert summary["target"]["embedded"] is False
    statuses = {r["status"] for rid, r in summary["requirements"].items() if r["level"] != "INFO"}
    assert statuses == {"passed"}, [rid for rid, r in summary["requirements"].items() if r["status"] != "passed"]


def test_a_run_leaves_every_report_and_a_valid_summary(profile_run):
    run_dir = profile_run.run_dir
    for name in ("junit.xml", "summary.json", "conformance.md", "ledger.jsonl"):
        assert (run_dir / name).is_file(), name
    assert any((run_dir / "allure-results").glob("*-result.json"))
    assert schema_errors("summary", profile_run.summary) == []
    assert "| CREATE-01 | MUST | ✅ passed |" in (run_dir / "conformance.md").read_text("utf-8")


RUN_FOLDER_BUDGET = 2_000_000  # bytes a run of the whole suite keeps, but for the HAR file that --exchanges all adds


def test_a_passing_run_keeps_a_summary_of_its_exchanges_and_fits_its_budget(profile_run):
    """Every exchange in the HAR file (asked for with --exchanges all); Allure keeps attachments for tests that did
    not pass only, and no container that tells nothing; the folder, HAR aside, stays under its budget."""
    run_dir = profile_run.run_dir
    har = json.loads((run_dir / "exchanges.har").read_text("utf-8"))["log"]
    assert har["version"] == "1.2"
    assert len(har["entries"]) >= profile_run.summary["requests"]["sent"] * 0.9, len(har["entries"])
    assert [e["startedDateTime"] for e in har["entries"]] == sorted(e["startedDateTime"] for e in har["entries"])
    assert not (run_dir / ".exchanges").exists()
    allure_files = list((run_dir / "allure-results").iterdir())
    assert not [p for p in allure_files if p.name.endswith("-container.json")]
    results = [json.loads(p.read_text("utf-8")) for p in allure_files if p.name.endswith("-result.json")]
    assert not [r["name"] for r in results if r["status"] == "passed" and r.get("attachments")]
    assert any(any(" → 20" in step["name"] for step in r.get("steps", ())) for r in results if r["status"] == "passed")
    kept = sum(p.stat().st_size for p in run_dir.rglob("*") if p.is_file() and p.name != "exchanges.har")
    assert kept < RUN_FOLDER_BUDGET, kept


def test_no_secret_reaches_any_report_file(profile_run, ims_profile):
    secrets = secrets_of(ims_profile)
    leaks = [(path.name, secret[:6] + "…") for path in profile_run.run_dir.rglob("*") if path.is_file()
             for secret in secrets if secret in path.read_text("utf-8", errors="replace")]
    assert not leaks
    assert not any(secret in profile_run.stdout + profile_run.stderr for secret in secrets)


def test_everything_the_run_created_was_deleted(profile_run, server):
    owner = server.headers("owner")
    package = server.profile()["fixtures"]["extension_package_id"]
    listed = requests.get(f"{server.base_url}/extension_packages/{package}/extension_package_usage_authorizations",
                          headers=owner, timeout=REQUEST_HANG_GUARD_S).json()
    assert listed["meta"]["pagination"]["total_count"] == 0, listed


def test_client_credentials_identities_renew_expiring_tokens(profile_run):
    assert profile_run.code == 0, profile_run.stdout[-3000:]
    assert profile_run.summary["duration_s"] > 1, "the run ended before a token could expire"
    assert profile_run.summary["requirements"]["AUTH-04"]["status"] == "passed"


# The requirements of approving and rejecting: the fault breaks one, the others stay as they were.
DECISIONS = [arg for rid in ("STATE-01", "STATE-02", "STATE-03") for arg in ("--requirement", rid)]


def test_a_regression_report_lists_exactly_the_new_failures(profile_run, tmp_path):
    """Night 1 is the profile's clean run; night 2 runs as a person types it (on the machine's CPUs), against a
    server that lets the owner approve, the tests of the decisions only: its verdicts cross the workers intact, and
    it leaves nothing in the temporary folder (the embedded server's lock files go with it)."""
    baseline = profile_run
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    current = tool("run", "--no-fuzz", "--fault", "owner-can-approve", *DECISIONS, reports=tmp_path / "night-2",
                   workers=None, env={"TMPDIR": str(temporary)})
    assert baseline.code == 0 and current.code == 1
    left = [path.relative_to(temporary) for path in temporary.rglob("*") if not path.is_dir()]
    assert not left, f"the embedded run left files in the temporary folder: {left}"
    workers = embedded_workers(usable_cpus())
    assert (f"{workers} workers" in current.stdout) if workers else ("workers" not in current.stdout), current.stdout[:600]
    for name in ("junit.xml", "summary.json", "conformance.md"):
        assert (current.run_dir / name).is_file(), name
    assert any((current.run_dir / "allure-results").glob("*-result.json")), "no Allure result from the workers"
    report = tool("report", "--baseline", str(baseline.run_dir), "--current", str(current.run_dir))
    assert report.code == 1
    regression = json.loads((current.run_dir / "regression.json").read_text("utf-8"))
    assert sorted(regression["requirements"]["new_failure"]) == sorted(current.failed_requirements())
    assert "STATE-03" in regression["requirements"]["new_failure"]
    assert (current.run_dir / "regression.md").read_text("utf-8").count("STATE-03") >= 1
    same = tool("report", "--baseline", str(baseline.run_dir), "--current", str(baseline.run_dir / "summary.json"))
    assert same.code == 0


def test_an_interrupted_run_is_cleaned_up(server, tmp_path):
    """SIGINT mid-run: the run deletes what it created on its way out; `cleanup` finds nothing left, and a
    SIGKILLed run's leftovers are deleted by `cleanup` from the ledger."""
    profile = write_profile(tmp_path / "target.toml", server)
    for sig in (signal.SIGINT, signal.SIGKILL):
        reports = tmp_path / f"reports-{sig.name}"
        process = subprocess.Popen([sys.executable, "-m", "reactor_conformance.cli", "run", "--profile", str(profile),
                                    "--reports", str(reports), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ledger = wait_for_ledger(reports, process)
        process.send_signal(sig)
        process.communicate(timeout=REQUEST_HANG_GUARD_S)
        cleanup = tool("cleanup", "--ledger", str(ledger), "--profile", str(profile))
        assert cleanup.code == 0, cleanup.stderr
        package = server.profile()["fixtures"]["extension_package_id"]
        listed = requests.get(f"{server.base_url}/extension_packages/{package}/extension_package_usage_authorizations",
                              headers=server.headers("owner"), timeout=REQUEST_HANG_GUARD_S).json()
        created = {json.loads(line)["id"] for line in ledger.read_text().splitlines()
                   if json.loads(line).get("event") == "created"}
        assert created, "the run was stopped before it created anything"
        assert not created & {item["id"] for item in listed["data"]}


def wait_for_ledger(reports: Path, process: subprocess.Popen) -> Path:
    """The run's ledger once it lists what the run created. The deadline only guards against a hang: a run
    creates its first grant within seconds, on the slowest machine too."""
    deadline = time.monotonic() + REQUEST_HANG_GUARD_S
    while time.monotonic() < deadline and process.poll() is None:
        for ledger in reports.glob("*/ledger.jsonl"):
            if ledger.stat().st_size > 600:
                return ledger
        time.sleep(0.05)
    if process.poll() is None:
        raise AssertionError(f"hung: the run created nothing in {REQUEST_HANG_GUARD_S} s")
    raise AssertionError(f"the run ended (exit {process.returncode}) before it created anything")


def test_load_summary_refuses_what_is_not_a_summary(tmp_path):
    (tmp_path / "x.json").write_text("{}", "utf-8")
    for path in (tmp_path / "x.json", tmp_path / "missing"):
        with pytest.raises(ValueError):
            load_summary(path)


def test_a_read_only_run_creates_nothing_and_says_why(server, tmp_path):
    profile = write_profile(tmp_path / "target.toml", server)
    completed = tool("run", "--profile", str(profile), "--read-only", "--no-fuzz", reports=tmp_path / "reports")
    summary = completed.summary
    assert completed.code == 0, completed.stdout[-2000:]
    assert summary["requirements"]["CREATE-01"]["status"] == "not_run"
    assert summary["requirements"]["CREATE-01"]["message"] == "not run: --read-only"
    assert summary["requirements"]["AUTH-02"]["status"] == "passed"
    ledger = completed.run_dir / "ledger.jsonl"
    assert not ledger.exists() or "created" not in ledger.read_text("utf-8")


@pytest.mark.parametrize("cpus, workers", [(1, 0), (2, 2), (3, 3), (8, 8), (64, 8)])
def test_the_embedded_run_takes_a_worker_per_cpu_up_to_one_per_fixture_package(cpus, workers):
    assert embedded_workers(cpus) == workers


def test_operation_narrows_the_generated_input_and_leaves_the_other_tests(tmp_path):
    completed = tool("run", "--no-fuzz", "--operation", "retrieveExtensionPackageUsageAuthorizationById",
                     "--collect-only", "-q", reports=tmp_path / "reports")
    collected = [line for line in completed.stdout.splitlines() if "::" in line]
    generated = [line for line in collected if "test_fuzz.py" in line]
    assert completed.code == 0, completed.stderr[-1500:]
    assert [line.rsplit("[", 1)[1] for line in generated] == ["the owner reads a grant]",
                                                                "the authorized org reads a grant]"]
    assert any("test_stateful.py" in line for line in collected) and len(collected) > 200


def test_a_check_of_a_grant_the_run_could_not_make_is_not_counted(server, tmp_path):
    """LIST-05's "the pending grant is left out" needs a pending grant, which the outsider org's identity makes:
    without that identity the check does not run, rather than hold on nothing (docs/decisions.md D91)."""
    held = {}
    for who, drop in (("with", ()), ("without", ("outsider",))):
        profile = server.profile()
        for name in drop:
            del profile["identities"][name]
        path = tmp_path / f"{who}.toml"
        path.write_text(tomli_w.dumps(profile), "utf-8")
        completed = tool("run", "--profile", str(path), "--requirement", "LIST-05", "--no-fuzz",
                         reports=tmp_path / f"reports-{who}")
        assert completed.code == 0, completed.stdout[-2000:]
        held[who] = {nodeid.split("[")[1]: test["checks"]["held"]["LIST-05"]
                     for nodeid, test in completed.summary["tests"].items()}
    assert len(held["with"]) == 3
    assert held["without"] == {row: count - 1 for row, count in held["with"].items()}


def test_collecting_the_suite_imports_none_of_the_fuzzing_libraries(tmp_path):
    """Every xdist worker collects the whole suite, and the run's first test waits for the last of them: the fuzzing's
    libraries are imported by the first test that fuzzes (D99)."""
    seen = tmp_path / "libraries.json"
    completed = tool("run", "--collect-only", "-q", "-p", "libraries_at_collection", reports=tmp_path / "reports",
                     env={"PYTHONPATH": str(Path(__file__).parent), "REACTOR_TEST_LIBRARIES_FILE": str(seen)})
    assert completed.code == 0, completed.stderr[-1500:]
    assert json.loads(seen.read_text("utf-8")) == []

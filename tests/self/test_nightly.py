"""The nightly workflow's steps (``.github/scripts/nightly.py``), run as the workflow runs them, against the
embedded reference server and targets on loopback: a failing first night, targets that cannot be tested, a
regression, and several targets side by side. Small runs (``--no-fuzz -n 0``, a few requirements)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomli_w
from project import ROOT
from stub_http import unused_port
from suite_runs import HANG_GUARD_S

from reactor_conformance.refserver.server import start_server

PROJECT_ROOT = ROOT
SCRIPT = PROJECT_ROOT / ".github" / "scripts" / "nightly.py"
WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "nightly.yml"
SMALL = ["--no-fuzz", "-n", "0", "--requirement", "CREATE-06"]  # its test grants first: CREATE-01 is judged too


@dataclass
class Night:
    code: int
    summary: str  # what went to the job summary
    record: dict  # night.json
    output: str


def nightly(folder: Path, *args: str) -> Night:
    """``nightly.py ARGS`` with ``GITHUB_STEP_SUMMARY`` set, in ``folder``, as the workflow's step runs it."""
    summary = folder / f"step-summary-{len(list(folder.glob('step-summary-*')))}.md"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("REACTOR_")}
    environment["GITHUB_STEP_SUMMARY"] = str(summary)
    try:
        done = subprocess.run([sys.executable, str(SCRIPT), *args], cwd=folder, env=environment, text=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"hung: nightly.py {' '.join(args)}") from None
    name = args[1] if args[0] == "night" else None
    record_file = folder / "nightly" / name / "night.json" if name else None
    record = json.loads(record_file.read_text("utf-8")) if record_file and record_file.is_file() else {}
    return Night(done.returncode, summary.read_text("utf-8") if summary.is_file() else "", record, done.stdout)


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> tuple[Path, dict[str, Night]]:
    """Four targets' nights in one folder, as the matrix leaves them."""
    folder = tmp_path_factory.mktemp("nights")
    done = {"reference": nightly(folder, "night", "reference", "--", *SMALL),
            "faulty": nightly(folder, "night", "faulty", "--", "--fault", "create-answers-200", *SMALL),
            "gone": nightly(folder, "night", "gone", "--", "--profile", str(PROJECT_ROOT / "examples/prism.toml"),
                            "--target", f"http://127.0.0.1:{unused_port()}")}
    # a SHOULD newly failing at --level must: the run passes, the comparison with last night does not
    done["regressed"] = nightly(folder, "night", "regressed", "--previous", "nightly/reference",
                                "--", "--fault", "duplicates-accepted", "--level", "must", *SMALL)
    done["steady"] = nightly(folder, "night", "steady", "--previous", "nightly/reference", "--", *SMALL)
    return folder, done


def test_a_conformant_night_passes(nights):
    night = nights[1]["reference"]
    assert night.code == 0, night.output[-3000:]
    assert night.summary.startswith("## ✅ reference: conformant")
    assert "No previous night to compare with" in night.summary and "| CREATE-06 |" in night.summary
    kept = sorted(path.name for path in (nights[0] / "nightly" / "reference").iterdir())
    assert kept == [night.record["run_dir"], "night.json"]  # no `latest` link: an artifact would hold the run twice


def test_a_failing_first_night_fails_naming_the_must_failures(nights):
    night = nights[1]["faulty"]
    assert night.code == 1, night.output[-3000:]
    assert night.summary.startswith("## ❌ faulty: 1 MUST failed (CREATE-01)"), night.summary[:500]
    assert night.record["must_failed"] == ["CREATE-01"] and night.record["failed"]


def test_an_unreachable_target_fails_with_a_summary_naming_the_cause(nights):
    night = nights[1]["gone"]
    assert night.code == 1, night.output[-3000:]
    assert night.summary.startswith("## ❌ gone: gone unreachable"), night.summary[:500]
    assert "connection refused" in night.summary and "Traceback" not in night.output
    assert (night.record["exit_code"], night.record["cause"]) == (2, "gone unreachable")


def test_a_regression_since_the_previous_night_fails_it(nights):
    night = nights[1]["regressed"]
    assert night.record["exit_code"] == 0, night.output[-3000:]  # at --level must the SHOULD failure is no failure
    assert night.code == 1 and night.record["regressed"]
    assert "regressions (report --fail-on default) since the previous night" in night.summary.splitlines()[0]
    assert "CREATE-06" in night.summary


def test_a_night_like_the_previous_one_passes(nights):
    night = nights[1]["steady"]
    assert night.code == 0 and not night.record["regressed"], night.summary[:2000]


def test_the_targets_side_by_side_with_those_not_tested(nights):
    folder, _ = nights
    compared = nightly(folder, "compare", "--out", "compare", "nightly/reference", "nightly/faulty", "nightly/gone")
    assert compared.code == 0, compared.output[-3000:]
    header = next(line for line in compared.summary.splitlines() if line.startswith("| ID |"))
    columns = [cell.strip() for cell in header.strip("| ").split(" | ")][1:]  # one per night tested
    assert len(columns) == 2 and all(column.startswith("the embedded reference server") for column in columns), header
    assert "| CREATE-06 | ✅ | ⏸ |" in compared.summary and "| CREATE-01 | ⏸ | ❌ |" in compared.summary
    assert "- **gone**: not tested tonight, gone unreachable" in compared.summary
    assert json.loads((folder / "compare" / "comparison.json").read_text("utf-8"))["requirements"]["CREATE-01"] \
        == ["not_run", "failed"]


def test_a_refused_token_is_named(tmp_path):
    with start_server() as server:
        profile = server.profile()
        profile["identities"]["owner"].update(access_token="expired-token", client_id=None, client_secret=None)
        profile["identities"]["owner"] = {k: v for k, v in profile["identities"]["owner"].items() if v}
        (tmp_path / "staging.toml").write_text(tomli_w.dumps(profile), "utf-8")
        night = nightly(tmp_path, "night", "staging", "--", "--profile", "staging.toml", "--no-fuzz", "-n", "0")
    assert night.code == 1 and night.record["cause"] == "token refused", (night.record, night.output[-2000:])
    assert night.summary.startswith("## ❌ staging: token refused")


def _script():
    spec = importlib.util.spec_from_file_location("nightly", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The one line a run printed before exit 2 → the cause the job summary names.
CAUSES = [
    ("ERROR: cannot reach https://reactor-staging.example.com: unknown host", "staging unreachable"),
    ("ERROR: cannot reach https://reactor-staging.example.com: no connection within 15 s", "staging unreachable"),
    ("ERROR: https://reactor-staging.example.com refused the owner identity's credentials on every request "
     "(HTTP 401 to 4 reads): check identities.owner in the profile", "token refused"),
    ("ERROR: IMS at https://ims.example.com/ims/token/v3 refused the credentials of identity 'owner': "
     "invalid_client", "token refused (IMS refused the client credentials)"),
    ("ERROR: cannot reach IMS at https://ims.example.com/ims/token/v3: connection refused", "IMS unreachable"),
    ("ERROR: https://reactor-staging.example.com answered text/html to every request, never JSON: is this the "
     "base URL of a Reactor API?", "staging answers no JSON: not the base URL of a Reactor API"),
    ("reactor-conformance: environment: REACTOR_OWNER_API_KEY is missing", "configuration incomplete"),
    ("something nobody foresaw", "staging could not be tested"),
]


@pytest.mark.parametrize("line, cause", CAUSES, ids=[c[1] + f" {i}" for i, c in enumerate(CAUSES)])
def test_the_cause_of_an_exit_2_is_named(line, cause):
    assert _script().cause_of("staging", 2, f"some output\n{line}\n") == cause


@pytest.mark.parametrize("code, cause", [(0, None), (1, None), (3, "the run could not complete"),
                                         (130, "the run was interrupted")])
def test_other_exit_codes(code, cause):
    assert _script().cause_of("staging", code, "") == cause


def test_the_workflow_runs_these_steps():
    workflow = WORKFLOW.read_text("utf-8")
    assert ".github/scripts/nightly.py night" in workflow and ".github/scripts/nightly.py compare" in workflow
    assert ".github/scripts/install.sh" in workflow and "fail-fast: false" in workflow

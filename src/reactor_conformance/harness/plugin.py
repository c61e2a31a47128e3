"""The pytest plugin: the run's options, its configuration, requirement bookkeeping and the run's reports.

``pytest tests/conformance`` (the project's ``conftest.py`` loads it) and ``reactor-conformance run`` (which only
hands its arguments to pytest) are one and the same code path. The options are declared here once
(``add_options``; the command line shows the same ones in its help). The controller builds the run's
configuration once (``RunConfig.from_options``) and hands it to the xdist workers as data; it collects every
test's verdicts and writes the run's reports into its folder, and points ``<reports>/latest`` at it.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from .. import __version__, reporting
from ..checks import crashes, expect
from ..checks.requirements import RUN_LEVELS, catalog, unknown_ids
from ..client import redact, transport
from ..errors import ConfigError, TargetError, Unreachable
from ..reporting import har
from ..reporting.matrix import failure_sentence
from ..reporting.summary import TestResult, build_summary, judged_line
from ..suite.order import HOLDS_A_PACKAGE, HOLDS_EVERY_PACKAGE  # markers the workers' layout reads
from .run_config import DEFAULT_FUZZ_EXAMPLES, DEFAULT_FUZZ_SEED, NIGHTLY_FUZZ_EXAMPLES, RunConfig
from .suite import FOLDER

OBSERVATION = "observation"
REQUIREMENTS = "requirements"
VERDICTS = "verdicts"  # the JSON of a test's checks, carried on its teardown report (also across xdist)
VERDICT = "verdict"  # one readable "ID status" line per requirement a test touched, for JUnit
STOP = pytest.StashKey[dict]()
EXCHANGES = pytest.StashKey[list]()  # the test's exchanges as the suite's client recorded them, for Allure
BROKE = pytest.StashKey[bool]()  # a phase of the test failed


class ProcessRun:
    """What one process of a run keeps while it runs, made once in ``pytest_configure`` and kept in the config's
    stash: the results of the tests (the controller's, from every worker's reports) and the recorder of this
    process's exchanges on the wire. Registered as a plugin, so that pytest hands it every test report."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.results: dict[str, dict] = {}
        self.recorder: har.Recorder | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not hasattr(self.config, "workerinput"):
            _collect(self.results, report)


RUN = pytest.StashKey[ProcessRun]()


def run_of(config: pytest.Config) -> ProcessRun | None:
    """The run this process takes part in (None: not a conformance run)."""
    return config.stash.get(RUN, None)


def add_options(add) -> None:
    """Every option of a run, declared once: ``add`` is pytest's ``addoption`` here, argparse's ``add_argument``
    for ``reactor-conformance run --help``."""
    add("--target", help="base URL of the server under test (default: the embedded reference server)")
    add("--profile", help="profile TOML with the target, fixtures and org identities")
    add("--level", choices=RUN_LEVELS, default="should", type=str.lower,
        help="'must': SHOULD failures are reported but do not fail the run (default: should; either case)")
    add("--reports", default="reports", help="folder that receives one sub-folder per run (default: reports)")
    add("--run-dir", help="exact folder for this run's reports (default: <reports>/<UTC timestamp>)")
    add("--allow-writes", action="store_true", help="allow creating resources on a target that is not on loopback")
    add("--read-only", action="store_true", help="run only the checks that change nothing")
    add("--fault", action="append", default=[],
        help="start the embedded reference server with this named defect (repeatable)")
    add("--variant", action="append", default=[],
        help="start the embedded reference server with this legal variation (repeatable)")
    add("--requirement", action="append", default=[], metavar="ID",
        help="run only the tests that name this requirement (repeatable)")
    add("--operation", action="append", default=[], metavar="OPERATION_ID",
        help="generate input only for this operation of the spec; the other tests run as chosen (repeatable)")
    add("--max-rps", type=float, default=0.0, help="cap on requests per second, every worker together (0: no cap)")
    add("--request-timeout", type=float, default=30.0, metavar="S",
        help="the longest wait for an answer before a request counts as hung (default 30); once the target has "
             "answered 20 requests, the wait is 10 times its slowest answer so far, at least 2 s, at most this")
    add("--fuzz-examples", type=int, default=None,
        help="generated requests per operation and caller, half valid and half invalid "
             f"(default {DEFAULT_FUZZ_EXAMPLES})")
    add("--fuzz-seed", type=int, default=None, help=f"seed of the generated requests (default {DEFAULT_FUZZ_SEED})")
    add("--no-fuzz", action="store_true", help="skip the schema-driven fuzzing")
    add("--nightly", action="store_true",
        help=f"nightly budget: {NIGHTLY_FUZZ_EXAMPLES} generated requests per operation and caller, no shrinking")
    add("--exchanges", choices=har.MODES, default=har.MODES[0], type=str.lower,
        help="which HTTP exchanges go into the run's exchanges.har: those of the tests that did not pass "
             "(default: failed), every one (all), or no HAR file (none)")


def option_names() -> tuple[str, ...]:
    """The destinations of the declared options (``--max-rps`` → ``max_rps``): what a run's configuration keeps."""
    names: list[str] = []
    add_options(lambda *flags, **kw: names.append(kw.get("dest") or flags[0].lstrip("-").replace("-", "_")))
    return tuple(names)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser.getgroup("reactor-conformance", "Reactor conformance target and run").addoption)


def embedded_workers(cpus: int) -> int:
    """Workers of a run against the embedded server when the person chose none: one per CPU, at most one per
    package it seeds for grants (another worker would wait for a lease); none on a single CPU, where a worker only
    adds its start."""
    from ..refserver.seed import GRANTABLE_PACKAGES  # only a run that starts the server needs it

    return 0 if cpus < 2 else min(cpus, GRANTABLE_PACKAGES)


def usable_cpus() -> int:
    """The CPUs this process may run on (a container's limit, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@pytest.hookimpl(wrapper=True)  # before xdist turns the number of workers into processes
def pytest_cmdline_main(config: pytest.Config):
    """A run against the embedded server uses the machine's CPUs unless the person chose (``-n``): the server
    and the run are the tool's own, so their load is too. A run against a target given by a person
    (``--target`` or ``--profile``) stays serial unless asked, as that target's load is not ours to choose."""
    if (getattr(config.option, "numprocesses", 0) is None and not hasattr(config, "workerinput")
            and not (config.option.target or config.option.profile) and not config.getoption("usepdb", False)
            and _runs_conformance(config)):
        config.option.numprocesses = embedded_workers(usable_cpus())
    return (yield)


@pytest.hookimpl(tryfirst=True)  # before JUnit's and Allure's plugins read where their reports go
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the requirement IDs a conformance test checks")
    config.addinivalue_line("markers", f"{HOLDS_EVERY_PACKAGE}: the test holds every package of the owner org")
    config.addinivalue_line("markers", f"{HOLDS_A_PACKAGE}: the generated search holds one of the pool's packages")
    wire = getattr(config, "workerinput", {}).get("reactor")
    if not wire and not _runs_conformance(config):
        config.reactor = None
        return
    unknown = unknown_ids(config.option.requirement or ())
    if unknown:  # here, not at collection: a usage error raised in an xdist worker would break the run instead
        raise pytest.UsageError(f"--requirement names unknown requirement(s) {', '.join(sorted(unknown))}")
    if config.option.operation and not wire:
        from ..fuzzing import spec  # the spec is loaded only when asked

        unknown = set(config.option.operation) - set(spec.operations(spec.load()))
        if unknown:
            raise pytest.UsageError(f"--operation names no operation of the spec: {', '.join(sorted(unknown))}")
    try:
        config.reactor = RunConfig.from_wire(wire) if wire else RunConfig.from_options(
            {name: getattr(config.option, name) for name in option_names()})
    except (ConfigError, TargetError) as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[RUN] = ProcessRun(config)
    config.pluginmanager.register(config.stash[RUN], "reactor-conformance-run")
    # The run's JUnit and Allure results go into its folder, unless the person chose a place. JUnit is written by
    # the controller alone; Allure's results by each process that runs tests, so xdist's workers are told too
    # (they parse the command line anew, not the options changed here).
    if hasattr(config.option, "xmlpath") and not wire:  # plugins a run may leave out (the proof does)
        config.option.xmlpath = config.option.xmlpath or str(config.reactor.run_dir / "junit.xml")
    if hasattr(config.option, "allure_report_dir"):
        config.option.allure_report_dir = config.option.allure_report_dir or str(
            config.reactor.run_dir / "allure-results")
    if getattr(config.option, "dist", None) == "load" and not any(
            arg.startswith("--dist") for arg in config.invocation_params.args):
        # Work stealing, unless the person chose: the suite's tests differ a hundredfold in length (a fuzzed
        # operation, a single read), and an idle worker takes work from a busy one instead of waiting.
        config.option.dist = "worksteal"


def _suite_folders(config: pytest.Config) -> set[Path]:
    """Where the conformance suite is: installed (``reactor_conformance.suite``), or in this checkout."""
    return {FOLDER.resolve(), (config.rootpath / "tests" / "conformance").resolve()}


def _runs_conformance(config: pytest.Config) -> bool:
    """True when the session's paths include the conformance suite (the self-tests need no target)."""
    suites = _suite_folders(config)
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if any(path == suite or suite in path.parents or path in suite.parents for suite in suites):
            return True
    return False


@pytest.hookimpl(optionalhook=True)  # an xdist hook: a run without xdist loaded has no such hook
def pytest_configure_node(node) -> None:
    if node.config.reactor is not None:
        node.workerinput["reactor"] = node.config.reactor.to_wire()


def pytest_unconfigure(config: pytest.Config) -> None:
    context: RunConfig | None = getattr(config, "reactor", None)
    if context is not None and not hasattr(config, "workerinput"):
        context.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems, suites = [], _suite_folders(config)
    for item in items:
        ids = requirement_ids(item)
        if not ids and any(item.path.is_relative_to(suite) for suite in suites):
            problems.append(f"{item.nodeid} names no requirement")
        for rid in unknown_ids(ids):
            problems.append(f"{item.nodeid} names unknown requirement {rid}")
        item.user_properties.append((REQUIREMENTS, " ".join(ids)))
    if problems:
        raise pytest.UsageError("; ".join(problems))
    chosen = set(config.getoption("requirement") or ())
    if chosen:
        _keep_only(config, items, lambda item: bool(chosen & set(requirement_ids(item))))
    operations = set(config.getoption("operation") or ())
    if operations:
        _keep_only(config, items, lambda item: _operation_of(item) in (None, *operations))


def _keep_only(config: pytest.Config, items: list[pytest.Item], keep) -> None:
    """Deselect (as ``-k`` does, so the terminal counts them) the items for which ``keep`` is false."""
    kept, deselected = [], []
    for item in items:
        (kept if keep(item) else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def _operation_of(item: pytest.Item) -> str | None:
    """The spec operation a generated-input test searches (None for every other test)."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("operation_id") if callspec is not None else None


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for mark in item.iter_markers("requirement"):
        ids.extend(rid for rid in mark.args if rid not in ids)
    return tuple(ids)


@pytest.fixture(autouse=True)
def _allure_context(request: pytest.FixtureRequest):
    """Attach every HTTP exchange of a conformance test to Allure; label it afterwards by its verdicts."""
    context = request.config.reactor
    ids = requirement_ids(request.node)
    if context is None or not ids or not getattr(request.config.option, "allure_report_dir", None):
        yield
        return
    from ..client import exchanges
    from ..reporting.allure import label_verdicts

    seen = request.node.stash[EXCHANGES] = []
    exchanges.on_exchange.append(seen.append)
    try:
        yield
    finally:
        exchanges.on_exchange.remove(seen.append)
        label_verdicts(catalog(), ids, expect.current(), context.base_url)


@pytest.fixture
def observe(request: pytest.FixtureRequest):
    """Record what the target did for an INFO requirement: ``observe("STATE-08", "accepted → 422")``."""

    def record(requirement_id: str, text: str) -> None:
        request.node.user_properties.append((OBSERVATION, f"{requirement_id}\t{redact.redact(text)}"))

    return record


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Each test (each attempt, with reruns) starts with no verdicts."""
    if getattr(item.config, "reactor", None) is None:  # not a conformance run: the tests are none of ours
        return
    expect.begin()
    item.stash[STOP] = {}
    item.stash[BROKE] = False
    recorder = run_of(item.config).recorder
    if recorder is not None:
        recorder.drop()  # what went on the wire between tests belongs to none


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Note what stopped a test; on its teardown report, hand on the verdicts of every check it ran."""
    outcome = yield
    if getattr(item.config, "reactor", None) is None:  # not a conformance run: leave the reports as they are
        return
    report: pytest.TestReport = outcome.get_result()
    stop = item.stash.setdefault(STOP, {})
    if (report.failed or report.skipped) and not stop:
        stop.update(_stop_of(call, report))
        if stop["kind"] == "unmet":  # a refused setup step: the test's checks were not reached
            report.outcome = "skipped"
            report.longrepr = (str(item.path), (item.location[1] or 0) + 1, f"Skipped: {stop['message']}")
        elif stop["kind"] == "check":  # the request and the verdict in one line (JUnit's message), then the whole
            # story and where the check stands, without a class name
            report.longrepr = f"{failure_sentence(stop['message'])}\n\n{stop['message']}\n  at {_check_site(item, call)}"
        elif stop["kind"] == "crash":  # the sentence for the reports; the traceback stays in the terminal
            report.sections.append(("traceback of the break", str(report.longrepr)))
            report.longrepr = f"{stop['message']}\n  at {_check_site(item, call)}"
    elif report.failed and call.excinfo is not None:  # a later break (a clean-up after the target went away)
        report.sections.append((f"traceback of the {call.when}", str(report.longrepr)))
        report.longrepr = redact.redact(f"{call.when} broke: {crashes.describe(call.excinfo.value)}")
    item.stash[BROKE] = item.stash.get(BROKE, False) or report.failed
    if call.when == "teardown":
        _keep_exchanges(item, stop)
        record = {**expect.current().to_json(), "stop": stop}
        readable = [(VERDICT, f"{rid} failed") for rid in record["failed"]]
        readable += [(VERDICT, f"{rid} held {count}") for rid, count in record["held"].items()
                     if rid not in record["failed"]]
        report.user_properties = [*report.user_properties, (VERDICTS, json.dumps(record)), *readable]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem):
    """A test that went on after a failed step of the flow (a finding: a clean-up that did not delete, a list that
    left a grant out) fails here, once its teardown is over, unless something stopped it before."""
    result = yield
    pending = expect.current().pending if getattr(item.config, "reactor", None) is not None else {}
    if pending and not item.stash.get(STOP, None):
        raise expect.ConformanceFailure(next(iter(pending)), "\n\n".join(pending.values()))
    return result


def _keep_exchanges(item: pytest.Item, stop: dict) -> None:
    """A test that did not pass keeps its exchanges in full (Allure, and the HAR file unless ``--exchanges none``);
    a passing one a summary in Allure, and its exchanges in the HAR file with ``--exchanges all`` only."""
    in_full = item.stash.get(BROKE, False) or stop.get("kind") in ("check", "crash", "unmet")
    recorder = run_of(item.config).recorder
    if recorder is not None and (in_full or item.config.reactor.exchanges == "all"):
        recorder.keep()
    elif recorder is not None:
        recorder.drop()
    if getattr(item.config.option, "allure_report_dir", None) and EXCHANGES in item.stash:
        from ..reporting.allure import record_test

        record_test(requirement_ids(item), expect.current(), item.stash[EXCHANGES], in_full)


def _check_site(item: pytest.Item, call: pytest.CallInfo) -> str:
    """``file:line`` of the failed check in the test's own module (else the deepest frame of the suite)."""
    frames, tb = [], call.excinfo.tb  # the raw frames: pytest's own traceback objects cost milliseconds each
    while tb is not None:
        if "reactor_conformance" not in tb.tb_frame.f_code.co_filename:
            frames.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    own = [frame for frame in frames if frame[0] == str(item.path)] or frames
    if not own:
        return item.nodeid
    path = Path(own[-1][0])
    shown = path.relative_to(item.config.rootpath) if path.is_relative_to(item.config.rootpath) else path
    return f"{shown}:{own[-1][1]}"


def _stop_of(call: pytest.CallInfo, report: pytest.TestReport) -> dict:
    """Why a test ended early: a failed check (and whose), an unmet precondition, a skip, or a crash."""
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, expect.ConformanceFailure):
        return {"kind": "check", "requirement": error.requirement, "message": str(error)}
    if isinstance(error, expect.Unmet):
        return {"kind": "unmet", "message": str(error)}
    if isinstance(error, Unreachable):  # the target went away (it answered the preflight): nothing here was judged
        return {"kind": "unmet", "message": f"not reached: the target stopped answering: {redact.redact(str(error))}"}
    if report.skipped:
        return {"kind": "skip", "message": _skip_reason(report)}
    text = redact.redact(crashes.describe(error) if error is not None else _failure_text(report))
    if call.when == "setup":
        return {"kind": "unmet", "message": f"not reached: setting up the test broke: {text}"}
    return {"kind": "crash", "message": f"the test broke before its verdict: {text}"}


def _collect(results: dict[str, dict], report: pytest.TestReport) -> None:
    """One report of a test (a phase, a rerun), folded into its entry of the run's results."""
    entry = results.setdefault(report.nodeid, {"outcome": "passed", "message": "", "duration": 0.0,
                                               "requirements": (), "observations": [], "reruns": 0,
                                               "verdicts": {}})
    if report.outcome == "rerun":  # pytest-rerunfailures: failed, then tried again from a clean slate
        entry.update(outcome="passed", message="", observations=[], verdicts={})
        entry["reruns"] += 1
        return
    props = dict((k, v) for k, v in report.user_properties if k == REQUIREMENTS)
    entry["requirements"] = tuple(props.get(REQUIREMENTS, "").split())
    entry["duration"] += report.duration
    for key, value in report.user_properties:
        if key == OBSERVATION and value not in entry["observations"]:
            entry["observations"].append(value)
        elif key == VERDICTS and report.when == "teardown":
            entry["verdicts"] = json.loads(value)
    if report.failed and entry["outcome"] != "failed":
        entry["outcome"] = "failed"
        entry["message"] = redact.redact(_failure_text(report))
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "not_run"
        entry["message"] = _skip_reason(report)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    transport.tally.clear()  # a process may run several sessions (the proof does): count each alone
    context = getattr(session.config, "reactor", None)
    transport.answer_times.clear(learning=context is None or not context.embedded)  # each target's answers anew
    if context is not None and context.exchanges != "none":
        name = getattr(session.config, "workerinput", {}).get("workerid", "controller")
        recorder = run_of(session.config).recorder = har.Recorder(Path(context.run_dir) / har.PARTS / f"{name}.har")
        recorder.start()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if config.reactor is None:
        return
    _write_request_counts(config)
    run = run_of(config)
    if run.recorder is not None:
        run.recorder.close()
        run.recorder = None
    if hasattr(config, "workerinput") or not run.results:
        return
    har.merge(config.reactor.run_dir)
    context: RunConfig = config.reactor
    summary = build_summary(
        run_id=context.run_id,
        started_at=context.started_at,
        finished_at=datetime.now(timezone.utc),
        target=context.target_record(),
        level=context.level,
        fuzz=context.fuzz_record(),
        catalog=list(catalog().values()),
        test_results={nodeid: _test_result(entry) for nodeid, entry in run.results.items()},
        requests=_request_counts(context.run_dir),
        selective=_selective(config),
    )
    context.run_dir.mkdir(parents=True, exist_ok=True)
    reporting.write(reporting.RUN, context.run_dir, summary)
    config.reactor_summary = summary
    allure_dir = getattr(config.option, "allure_report_dir", None)
    if allure_dir:
        from ..reporting.allure import keep_what_tells, readable_status_details, write_environment

        keep_what_tells(Path(allure_dir))
        readable_status_details(Path(allure_dir))

        write_environment(Path(allure_dir), {"target": context.base_url, "suite": __version__,
                                             "level": context.level, "fuzz_seed": context.fuzz_seed,
                                             "fuzz_examples": context.fuzz_examples,
                                             "faults": ",".join(context.faults) or "none",
                                             "variants": ",".join(context.variants) or "none"})
    reporting.point_latest(context.run_dir)
    if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = summary["exit_code"]


def _selective(config: pytest.Config) -> bool:
    """The person chose some of the suite's tests only: ``-k``, ``-m``, ``--requirement``, ``--operation``, or
    paths narrower than the suite's folder."""
    option = config.option
    if option.keyword or option.markexpr or config.getoption("requirement") or config.getoption("operation"):
        return True
    suites = _suite_folders(config)
    return any("::" in arg or Path(arg).resolve() not in suites for arg in config.args)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    summary = getattr(config, "reactor_summary", None)
    if summary is None:
        return
    write = terminalreporter.write_line
    terminalreporter.section("requirements")
    write(f"{'level':<7}{'passed':>8}{'failed':>8}{'not run':>9}{'info':>6}")
    for level in ("MUST", "SHOULD", "INFO"):
        counts = {"passed": 0, "failed": 0, "not_run": 0, "info": 0}
        for record in summary["requirements"].values():
            if record["level"] == level:
                counts[record["status"]] += 1
        write(f"{level:<7}{counts['passed']:>8}{counts['failed']:>8}{counts['not_run']:>9}{counts['info']:>6}")
    write(judged_line(summary))
    for rid, record in summary["requirements"].items():
        if record["status"] == "failed":
            first = failure_sentence(record["message"])
            write(f"FAILED {rid} ({record['level']}): {first}")
    for blocked in summary["blocked"]:
        write(f"NOT RUN {blocked['requirement']} (MUST, blocked by the target): "
              f"{failure_sentence(blocked['reason'])}")
    counts = summary.get("requests") or {}
    if counts:
        write(f"requests: {counts.get('sent', 0)} sent, {counts.get('retried_429', 0)} answered 429 and retried, "
              f"{counts.get('retried_503', 0)} answered 503 and retried")
    write(f"reports: {config.reactor.run_dir}")


def _write_request_counts(config: pytest.Config) -> None:
    """This process's requests and retried answers, for the controller to add up (each xdist worker has its own)."""
    folder = Path(config.reactor.run_dir) / "requests"
    folder.mkdir(parents=True, exist_ok=True)
    name = getattr(config, "workerinput", {}).get("workerid", "controller")
    (folder / f"{name}.json").write_text(json.dumps(transport.counts()), "utf-8")


def _request_counts(run_dir: Path) -> dict[str, int]:
    totals: dict[str, int] = {}
    for file in sorted((Path(run_dir) / "requests").glob("*.json")):
        for key, value in json.loads(file.read_text("utf-8")).items():
            totals[key] = totals.get(key, 0) + value
    return totals


def _test_result(entry: dict) -> TestResult:
    observations = tuple(tuple(text.split("\t", 1)) for text in entry["observations"])
    verdicts = entry["verdicts"]
    return TestResult(outcome=entry["outcome"], requirements=entry["requirements"],
                      duration_s=round(entry["duration"], 4), message=entry["message"],
                      reruns=entry["reruns"], observations=observations,
                      held=verdicts.get("held", {}), failed=verdicts.get("failed", {}), stop=verdicts.get("stop", {}))


def _failure_text(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and crash.message:
        return crash.message
    return str(report.longrepr)[-4000:]


def _skip_reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        reason = report.longrepr[2]
        return reason.removeprefix("Skipped: ")
    return "not run"

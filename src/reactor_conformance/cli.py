"""``reactor-conformance``: run the suite, serve the reference server, compare reports, prove the suite, clean up.

Exit codes (stable): 0 no MUST/SHOULD failure (or nothing to report); 1 a failure that the command
exists to find (a MUST/SHOULD failure, a regression, an undetected fault, a failed clean-up);
2 bad input to the tool (usage, profile, credentials, unreachable or non-Reactor target);
3 the run could not complete; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

from .checks.requirements import LEVELS
from .harness import suite
from .reporting.regression import DEFAULT_FAIL_ON

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_BROKEN, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
PLUGIN = "reactor_conformance.harness.plugin"


PREFIX = "reactor-conformance: "


class BadInput(Exception):
    """Bad input to the tool: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error told as every other error of the tool: one line after ``PREFIX``, exit 2."""

    def error(self, message: str):
        command = self.prog.removeprefix("reactor-conformance").strip()
        print(f"{PREFIX}{message} (see: reactor-conformance {command + ' ' if command else ''}--help)",
              file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.argv = argv[argv.index("run") + 1:] if args.command == "run" else []
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = args.handler(args, extra)
        sys.stdout.flush()  # a reader that stopped early (``| head``) is told here, not at the interpreter's exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except KeyboardInterrupt:
        print(f"{PREFIX}interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BadInput as error:
        print(f"{PREFIX}{error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # one clear line for every way the input can be wrong
        from .errors import ConfigError, TargetError

        if isinstance(error, (ConfigError, TargetError, ValueError, OSError)):
            print(f"{PREFIX}{error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        raise


def _reader_gone() -> int:
    """The reader of the output closed it (``reactor-conformance requirements | head``): it has what it wanted, so
    the command ends quietly and successfully; what is still buffered goes nowhere instead of failing at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_OK


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="reactor-conformance", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the conformance suite (default target: the embedded reference server)",
                              description="Runs the suite through pytest with these options; any other (-k EXPR, "
                                          "-n 4, -x, -q …) goes to pytest as it is.")
    from .harness.plugin import add_options  # the run's options are declared once, in the plugin

    add_options(run.add_argument)
    run.set_defaults(handler=command_run)

    serve = commands.add_parser("serve", help="start the reference server on loopback")
    serve.add_argument("--port", type=int, default=8080, help="loopback port to listen on (0: any free port; default 8080)")
    serve.add_argument("--db", help="SQLite file to keep state in (default: memory)")
    serve.add_argument("--fault", action="append", default=[], help="start with this named defect (repeatable)")
    serve.add_argument("--list-faults", action="store_true", help="list the named defects and exit")
    serve.add_argument("--variant", action="append", default=[],
                       help="start with this legal variation (repeatable); the suite must pass it")
    serve.add_argument("--list-variants", action="store_true", help="list the legal variations and exit")
    serve.add_argument("--latency", type=float, default=0.0, metavar="MS",
                       help="delay every answer by MS milliseconds (a distant target on loopback)")
    serve.add_argument("--profile-out", help="where to write the profile (default: reactor-profile.toml)")
    serve.add_argument("--token-ttl", type=int, default=86400, help="lifetime of IMS-issued tokens, seconds")
    serve.set_defaults(handler=command_serve)

    report = commands.add_parser("report", help="compare runs: regressions, side-by-side targets, Allure HTML")
    report.add_argument("--baseline", help="earlier run folder or summary.json")
    report.add_argument("--current", help="later run folder or summary.json")
    report.add_argument("--compare", nargs="+", metavar="RUN", help="runs to show side by side")
    report.add_argument("--html", metavar="RUN", help="generate Allure's HTML report of a run folder")
    report.add_argument("--fail-on", default=",".join(DEFAULT_FAIL_ON),
                        help="comma-separated classes that make the exit code 1 (default: %(default)s)")
    report.add_argument("--out", help="output folder (default: the current run's folder)")
    report.set_defaults(handler=command_report)

    faults = commands.add_parser("faults", help="prove the suite: every named fault detected under the requirement "
                                                "it breaks, every legal variation passed")
    faults.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="only these faults or variants, and the clean run (repeatable)")
    faults.add_argument("--jobs", type=int, default=0, help="worker processes (default: number of CPUs)")
    faults.add_argument("--out", default="reports/proof.md", help="the Markdown tables (JSON beside it)")
    faults.set_defaults(handler=command_faults)

    cleanup = commands.add_parser("cleanup", help="delete what a killed run left behind, from its ledger")
    cleanup.add_argument("--ledger", required=True, help="reports/<run>/ledger.jsonl")
    cleanup.add_argument("--profile", help="profile TOML (default: REACTOR_* variables)")
    cleanup.add_argument("--target", help="base URL override")
    cleanup.set_defaults(handler=command_cleanup)

    listing = commands.add_parser("requirements", help="list the requirement catalog")
    listing.add_argument("--level", choices=LEVELS, type=str.upper,
                         help="only the requirements of this level, in either case (MUST, should …); a run's "
                              "--level is the lowest level whose failures fail it")
    listing.add_argument("--json", action="store_true", help="print the records as JSON instead of one line each")
    listing.set_defaults(handler=command_requirements)
    return parser


# -- run ---------------------------------------------------------------------------------------
def command_run(args, extra: list[str]) -> int:
    """Hand the arguments to pytest with the suite and its plugin: the plugin declares, checks and uses every run
    option, so ``pytest tests/conformance …`` is the same run. Only pytest's exit codes are translated."""
    import pytest

    # --assert=plain: the suite reports through expect.fail and has no bare assert to explain, while rewriting
    # would recompile the plugin's modules on each run where bytecode is not cached.
    with _usage_errors_as_one_line(), _output_may_close():
        code = pytest.main([str(suite.FOLDER), "-p", PLUGIN, *suite.UNUSED_PLUGINS, "--assert=plain", *args.argv])
    if code == pytest.ExitCode.USAGE_ERROR:
        return EXIT_BAD_INPUT
    if code == pytest.ExitCode.INTERRUPTED:
        return EXIT_INTERRUPTED
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print(f"{PREFIX}no test was selected", file=sys.stderr)
        return EXIT_BAD_INPUT
    if code in (pytest.ExitCode.INTERNAL_ERROR,) or code not in (EXIT_OK, EXIT_FAILED):
        return EXIT_BROKEN
    return int(code)


@contextmanager
def _usage_errors_as_one_line():
    """pytest tells a usage error as ``ERROR: …`` (argparse's, over several lines); the tool tells every error of
    every command as one line after ``PREFIX``. pytest has no hook for it: its printer is replaced for the call."""
    import _pytest.config

    def one_line(error, file) -> None:
        for message in error.args:
            print(f"{PREFIX}{_usage_line(str(message))}", file=file)

    original = _pytest.config.print_usage_error
    _pytest.config.print_usage_error = one_line
    try:
        yield
    finally:
        _pytest.config.print_usage_error = original


class _Closable:
    """The standard output of a run, whose reader may stop reading (``run | head``): from then on its lines go
    nowhere and the run goes on to its reports and its verdict, instead of breaking on the closed pipe."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            _reader_gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _reader_gone()

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextmanager
def _output_may_close():
    original = sys.stdout
    sys.stdout = _Closable(original)
    try:
        yield
    finally:
        sys.stdout = original


def _usage_line(message: str) -> str:
    """argparse's ``usage: …`` / ``prog: error: what`` as ``what``; any other message's first line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    said = next((line.split(": error: ", 1)[1] for line in lines if ": error: " in line), None)
    return said or (lines[0] if lines else "bad usage")


# -- serve -------------------------------------------------------------------------------------
def command_serve(args, extra) -> int:
    from .refserver.faults import FAULTS
    from .refserver.server import start_server
    from .refserver.variants import VARIANTS

    if args.list_faults:
        for fault in FAULTS.values():
            print(f"{fault.name:<34} {','.join(fault.requirements):<22} {fault.description}")
        return EXIT_OK
    if args.list_variants:
        for variant in VARIANTS.values():
            print(f"{variant.name:<26} {variant.decision:<5} {variant.description}")
        return EXIT_OK
    if not 0 <= args.port <= 65535:
        raise BadInput(f"--port {args.port} is not a TCP port")
    try:
        server = start_server(port=args.port, db=args.db, faults=tuple(args.fault), token_ttl=args.token_ttl,
                              variants=tuple(args.variant), latency_ms=args.latency)
    except ValueError as error:
        raise BadInput(str(error)) from None
    profile_out = Path(args.profile_out or "reactor-profile.toml")
    server.write_profile(profile_out)
    print(f"reference server: {server.base_url}", flush=True)
    print(f"profile: {profile_out.resolve()}", flush=True)
    if args.fault:
        print(f"faults: {', '.join(args.fault)}", flush=True)
    if args.variant:
        print(f"variants: {', '.join(args.variant)}", flush=True)
    if args.latency:
        print(f"latency: {args.latency:g} ms", flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK


# -- report ------------------------------------------------------------------------------------
def command_report(args, extra) -> int:
    from . import reporting
    from .reporting.matrix import compare_markdown
    from .reporting.regression import compare_runs
    from .reporting.summary import load_summary

    if args.html:
        from .reporting.allure import generate_html

        run_dir = Path(args.html).resolve()
        if not (run_dir / "allure-results").is_dir():
            raise BadInput(f"{run_dir} has no allure-results folder")
        previous = _previous_html(run_dir)
        try:
            out = generate_html(run_dir / "allure-results", run_dir / "allure-report", history_from=previous)
        except RuntimeError as error:
            raise BadInput(str(error)) from None
        print(f"Allure report: {out}")
        return EXIT_OK
    if args.compare:
        if len(args.compare) < 2:
            raise BadInput("--compare needs two runs or more")
        summaries = [load_summary(Path(run)) for run in args.compare]
        reporting.write(reporting.COMPARISON, Path(args.out or "."), summaries)
        print(compare_markdown(summaries))
        return EXIT_OK
    if not (args.baseline and args.current):
        raise BadInput("report needs --baseline OLD --current NEW, --compare RUN RUN…, or --html RUN")
    baseline, current = load_summary(Path(args.baseline)), load_summary(Path(args.current))
    regression = compare_runs(baseline, current, fail_on=tuple(c.strip() for c in args.fail_on.split(",") if c))
    current_path = Path(args.current)
    out = Path(args.out) if args.out else (current_path if current_path.is_dir() else current_path.parent)
    reporting.write(reporting.REGRESSION, out, regression)
    print(regression.markdown())
    return regression.exit_code


def _previous_html(run_dir: Path) -> Path | None:
    """The newest earlier run with an Allure HTML report, whose history the new report carries on."""
    earlier = sorted(p for p in run_dir.parent.iterdir()
                     if p.is_dir() and not p.is_symlink() and p.name < run_dir.name and (p / "allure-report").is_dir())
    return earlier[-1] / "allure-report" if earlier else None


# -- faults ------------------------------------------------------------------------------------
def command_faults(args, extra) -> int:
    from . import reporting
    from .harness.proof import jobs, run_all
    from .reporting.proof import proof_markdown

    planned = jobs(args.only)
    outcomes, elapsed = run_all(planned, args.jobs or os.cpu_count() or 2)
    out = Path(args.out)
    reporting.write(reporting.PROOF, out.parent, outcomes, elapsed, stem=out.stem)
    print(proof_markdown(outcomes, elapsed))
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_FAILED


# -- cleanup -----------------------------------------------------------------------------------
def command_cleanup(args, extra) -> int:
    from .client.identities import clients_for
    from .client.ledger import Ledger, cleanup
    from .client.profile import load_profile, profile_from_env

    ledger_path = Path(args.ledger)
    if not ledger_path.is_file():
        raise BadInput(f"ledger {ledger_path} does not exist")
    profile = load_profile(args.profile) if args.profile else profile_from_env(os.environ)
    if profile is None:
        raise BadInput("cleanup needs --profile FILE or REACTOR_* variables for the identities that created things")
    if args.target:
        profile = profile.with_base_url(args.target)
    result = cleanup(Ledger(ledger_path), clients_for(profile))
    print(f"deleted {len(result.deleted)}, already gone {len(result.already_gone)}, failed {len(result.failed)}")
    for entry in result.failed:
        print(f"  could not delete {entry}", file=sys.stderr)
    return EXIT_FAILED if result.failed else EXIT_OK


# -- requirements ------------------------------------------------------------------------------
def command_requirements(args, extra) -> int:
    from .checks.requirements import catalog

    records = [r for r in catalog().values() if not args.level or r.level == args.level]
    if args.json:
        print(json.dumps([r.__dict__ for r in records], indent=2))
        return EXIT_OK
    for r in records:
        print(f"{r.id:<10} {r.level:<7} {r.title}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The nightly workflow's steps, as commands a machine without GitHub can run too (the project's tests do).

    nightly.py night NAME [--previous DIR] [--fail-on CLASSES] [--out DIR] -- RUN OPTIONS…
        runs ``reactor-conformance run`` against one target into DIR/NAME/run, compares it with the previous
        night's summary when there is one, appends a readable job summary and exits 1 when the night failed: a
        failure at the run's level (the first night too), a regression of a class in --fail-on, or a target
        that could not be tested (exit 2: the cause named, "staging unreachable", "token refused") or a run
        that could not complete (exit 3).
    nightly.py compare [--out DIR] NIGHT…
        puts the targets' runs side by side (``reactor-conformance report --compare``) and lists the targets
        that could not be tested, with their cause.

The job summary goes to the file ``$GITHUB_STEP_SUMMARY`` names (standard output without it). Every night also
leaves DIR/NAME/night.json: the target's name, the run's exit code, the cause when it has one, the verdict.
Standard library only: it calls the installed ``reactor-conformance`` as a person would.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

NIGHT_FILE = "night.json"
# What an exit code 2 says, by the one line the tool printed: (pattern, cause). The first match wins.
CAUSES = [
    (r"cannot reach IMS at", "IMS unreachable"),
    (r"IMS at \S+ refused the credentials", "token refused (IMS refused the client credentials)"),
    (r"IMS at \S+ answered", "IMS answered no token"),
    (r"refused the owner identity's credentials", "token refused"),
    (r"cannot reach ", "{name} unreachable"),
    (r"never JSON", "{name} answers no JSON: not the base URL of a Reactor API"),
    (r"is not set|is missing|profile |environment: |needs credentials", "configuration incomplete"),
]
EXIT_CAUSES = {3: "the run could not complete", 130: "the run was interrupted"}


def cause_of(name: str, code: int, stderr: str) -> str | None:
    """Why a night has no verdict of the suite (exit 2, 3, 130), in a few words; None when it has one."""
    if code in (0, 1):
        return None
    if code in EXIT_CAUSES:
        return EXIT_CAUSES[code]
    for pattern, cause in CAUSES:
        if re.search(pattern, stderr):
            return cause.format(name=name)
    return f"{name} could not be tested"


def tool() -> list[str]:
    """The installed ``reactor-conformance``, preferably beside this Python."""
    beside = Path(sys.executable).with_name("reactor-conformance")
    found = str(beside) if beside.exists() else shutil.which("reactor-conformance")
    return [found] if found else [sys.executable, "-m", "reactor_conformance.cli"]


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def write_summary(markdown: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as summary:
            summary.write(markdown + "\n")
    else:
        print(markdown)


def must_failures(summary: dict) -> list[str]:
    return [rid for rid, r in summary["requirements"].items() if r["level"] == "MUST" and r["status"] == "failed"]


def previous_summary(folder: str | None) -> Path | None:
    """The newest ``summary.json`` in the previous night's folder (an artifact keeps its run folder's name)."""
    found = sorted(Path(folder).glob("**/summary.json"), key=lambda path: path.parent.name) if folder else []
    return found[-1] if found else None


def night(args, run_options: list[str]) -> int:
    folder = Path(args.out) / args.name
    run_dir = folder / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())  # the run's ID, as `run` names its folders
    done = subprocess.run([*tool(), "run", "--run-dir", str(run_dir), *run_options],
                          stderr=subprocess.PIPE, text=True)
    sys.stderr.write(done.stderr)
    if (folder / "latest").is_symlink():  # the run's link to itself: an artifact would hold the run twice
        (folder / "latest").unlink()
    record = {"target": args.name, "run_dir": run_dir.name, "exit_code": done.returncode,
              "cause": cause_of(args.name, done.returncode, done.stderr)}
    summary_file = run_dir / "summary.json"
    if record["cause"] or not summary_file.is_file():
        record["cause"] = record["cause"] or "the run wrote no summary"
        record["detail"] = last_line(done.stderr)
        record["failed"] = True
        write_summary(f"## ❌ {args.name}: {record['cause']}\n\nThe suite could not judge this target tonight "
                      f"(exit {done.returncode}):\n\n```\n{record['detail'] or '(no message)'}\n```\n")
        return finish(folder, record)
    summary = json.loads(summary_file.read_text("utf-8"))
    failed_musts = must_failures(summary)
    lines = []
    previous = previous_summary(args.previous)
    regressed = False
    if previous is not None:
        fail_on = ["--fail-on", args.fail_on] if args.fail_on else []  # none: the tool's default classes
        compared = subprocess.run([*tool(), "report", "--baseline", str(previous), "--current", str(run_dir),
                                   *fail_on, "--out", str(run_dir)], capture_output=True, text=True)
        if compared.returncode not in (0, 1):
            lines.append(f"The comparison with the previous night failed: `{last_line(compared.stderr)}`\n")
        regressed = compared.returncode != 0
        regression = run_dir / "regression.md"
        regression_text = regression.read_text("utf-8") if regression.is_file() else ""
    else:
        regression_text = "No previous night to compare with: this night's failures alone decide it.\n"
    blocked = [entry["requirement"] for entry in summary.get("blocked", ())]
    record.update(must_failed=failed_musts, must_blocked=blocked, regressed=regressed,
                  failed=done.returncode != 0 or regressed)
    verdicts = []
    if failed_musts:
        verdicts.append(f"{len(failed_musts)} MUST failed ({', '.join(failed_musts)})")
    if blocked:
        verdicts.append(f"{len(blocked)} MUST left not run by the target ({', '.join(blocked)})")
    if done.returncode != 0 and not (failed_musts or blocked):
        verdicts.append(f"failures at level {summary['level']}")
    if regressed:
        verdicts.append(f"regressions ({args.fail_on or 'report --fail-on default'}) since the previous night")
    headline = f"## {'❌' if record['failed'] else '✅'} {args.name}: " + ("; ".join(verdicts) or "conformant")
    lines = [headline, "", *lines, (run_dir / "conformance.md").read_text("utf-8"), regression_text]
    write_summary("\n".join(lines))
    return finish(folder, record)


def finish(folder: Path, record: dict) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NIGHT_FILE).write_text(json.dumps(record, indent=2) + "\n", "utf-8")
    return 1 if record["failed"] else 0


def compare(args) -> int:
    tested, untested = [], []
    for folder in map(Path, args.nights):
        record_file = folder / NIGHT_FILE
        record = json.loads(record_file.read_text("utf-8")) if record_file.is_file() else {"target": folder.name}
        run_dir = folder / record.get("run_dir", "-")
        if (run_dir / "summary.json").is_file():
            tested.append(run_dir)
        else:
            untested.append(f"- **{record['target']}**: not tested tonight, "
                            f"{record.get('cause') or 'no result (the job did not finish)'}")
    lines = ["# Tonight's targets side by side", ""]
    code = 0
    if len(tested) >= 2:
        compared = subprocess.run([*tool(), "report", "--compare", *map(str, tested), "--out", args.out],
                                  capture_output=True, text=True)
        code = compared.returncode
        lines.append(compared.stdout if code == 0 else f"`report --compare` failed: {last_line(compared.stderr)}")
    else:
        lines.append(f"{len(tested)} target tested tonight: nothing to put side by side.")
    if untested:
        lines += ["", *untested]
    write_summary("\n".join(lines))
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    run_options = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="nightly.py", description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    one = steps.add_parser("night", help="run and judge one target's night")
    one.add_argument("name", help="the target's name (the matrix entry), used in the job summary")
    one.add_argument("--previous", help="folder holding the previous night's summary.json, at any depth "
                                        "(none there: the first night)")
    one.add_argument("--fail-on", default="",
                     help="regression classes that fail the night (report --fail-on; empty: that option's default)")
    one.add_argument("--out", default="nightly", help="where the night's folders go (default: nightly)")
    side = steps.add_parser("compare", help="put the nights of several targets side by side")
    side.add_argument("nights", nargs="+", help="the folders `night` wrote, one per target")
    side.add_argument("--out", default="nightly/compare", help="where comparison.md/.json go")
    args = parser.parse_args(argv)
    return night(args, run_options) if args.step == "night" else compare(args)


if __name__ == "__main__":
    sys.exit(main())

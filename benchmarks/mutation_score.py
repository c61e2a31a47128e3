"""The mutation score of the verdict core: how many of mutmut's mutants of each file the self-tests kill.

    python benchmarks/mutation_score.py [--max-children N] [--keep | --no-run] [--survivors] [--no-handmade]

Needs the ``mutation`` extra (``pip install -e '.[mutation]'``). Which files are mutated and which self-tests run
against each mutant is ``[tool.mutmut]`` in pyproject.toml; docs/mutation.md explains the choice and the survivors.
Every run starts from a fresh ``mutants/`` folder (``--keep``: reuse it, mutmut then retests only what changed), so
a figure never carries a verdict from older tests. A mutant no selected test reaches counts as surviving. Prints
killed/total per file and in all; exits 1 when the whole is under ``--fail-under`` percent (default 90).

mutmut mutates only what runs inside undecorated functions: neither properties (``Outcome.detected``, the proof's
rule) nor module constants (the shortest secret, the marks of a person's selection). ``HANDMADE`` are mutants of
those, and the three issue 24 named, each applied to a copy of the sources and run against the same tests; every
one must be killed too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"


def mutmut() -> str:
    """mutmut beside the running Python (a virtual environment's ``bin/``), else on PATH."""
    beside = Path(sys.executable).parent / "mutmut"
    found = str(beside) if beside.is_file() else shutil.which("mutmut")
    if not found:
        sys.exit("mutmut is not installed: pip install -e '.[mutation]'")
    return found


def selected_tests() -> list[str]:
    """The node IDs of the tests mutmut runs against the mutants (``[tool.mutmut]``)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           *config["pytest_add_cli_args"], *config["pytest_add_cli_args_test_selection"]],
                          cwd=ROOT, capture_output=True, text=True)
    return [line for line in done.stdout.splitlines() if "::" in line]


def run(max_children: int, keep: bool) -> None:
    escaped = [nodeid for nodeid in selected_tests() if "\\" in nodeid]
    if escaped:  # pytest cannot find these by ID again: every mutant they cover would count as killed
        sys.exit("mutmut selects tests by node ID, and pytest escapes these, so it could not find them; give them "
                 "ASCII IDs:\n  " + "\n  ".join(escaped))
    if not keep and MUTANTS.exists():
        shutil.rmtree(MUTANTS)
    done = subprocess.run([mutmut(), "run", "--max-children", str(max_children)], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        sys.exit(f"mutmut run failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


def results() -> dict[str, dict[str, str]]:
    """Per mutated file, mutant name → its status as mutmut tells it (killed, survived, no tests, timeout …)."""
    from mutmut.stats import status_by_exit_code

    def statuses(meta: Path) -> dict[str, str]:
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        return {name: status_by_exit_code[code] for name, code in codes.items()}

    return {str(meta.relative_to(MUTANTS / "src")).removesuffix(".meta"): statuses(meta)
            for meta in sorted(MUTANTS.rglob("*.py.meta"))}


# file under src/reactor_conformance, the text, its mutant, what the mutant breaks.
HANDMADE = [
    ("checks/expect.py", "400 <= response.status_code < 500", "400 <= response.status_code <= 500",
     "a 500 counts as a refusal (issue 24)"),
    ("reporting/summary.py", 'elif broken:\n        status, message = "failed", next(iter(broken.values()))\n'
     '    elif held:\n        status, message = "passed", ""',
     'elif held:\n        status, message = "passed", ""\n    elif broken:\n        status, message = "failed", '
     'next(iter(broken.values()))', "a check held in one test outweighs another test that broke (issue 24)"),
    ("client/redact.py", "MIN_SECRET_LENGTH = 4", "MIN_SECRET_LENGTH = 5", "a 4-character secret is shown (issue 24)"),
    ("harness/proof.py", "set(self.breaks) <= set(self.failed)", "self.breaks[0] in self.failed",
     "a fault counts when the first requirement it names fails"),
    ("harness/proof.py", " and self.exit_code == 1\n", "\n", "a fault counts in a run that exited 0"),
    ("harness/proof.py", "return self.detected and not self.unexplained", "return self.detected",
     "a fault counts although it left unexplained MUSTs not run"),
    ("harness/proof.py", "if not any(breaks in reason", "if any(breaks in reason",
     "what a fault explains is called unexplained"),
    ("harness/proof.py", 'if self.job.kind == "fault" else ()', 'if self.job.kind != "clean" else ()',
     "a variant breaks requirements"),
    ("harness/proof.py", "(5 if self.fuzz else 0)", "(0 if self.fuzz else 5)", "fuzzing weighs nothing"),
    ("reporting/summary.py", 'return self.stop.get("kind") == "crash"', 'return self.stop.get("kind") == "check"',
     "a test that broke is not counted against its requirements"),
    ("reporting/summary.py", '"--read-only", ', "", "--read-only is not the person's choice"),
    ("reporting/regression.py", 'DEFAULT_FAIL_ON = ("new_failure", "no_longer_run")',
     'DEFAULT_FAIL_ON = ("new_failure",)', "passed → not run no longer fails the regression report"),
    ("client/redact.py", r're.compile(r"(?i)(\bbearer', r're.compile(r"(\bbearer', "a lower-case bearer is shown"),
    ("checks/answers.py", "SNIPPET = 160", "SNIPPET = 16", "snippets cut short"),
]


def handmade() -> list[str]:
    """What each of ``HANDMADE`` breaks that no selected test saw (an empty list: every one was killed)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    survivors = []
    for file, text, mutant, breaks in HANDMADE:
        with tempfile.TemporaryDirectory(prefix="handmade-mutant-") as copy:
            package = Path(copy) / "reactor_conformance"
            shutil.copytree(ROOT / "src" / "reactor_conformance", package)
            source = (package / file).read_text("utf-8")
            if source.count(text) != 1:
                sys.exit(f"hand-made mutant of {file}: {text!r} is not in it once; HANDMADE is out of date")
            (package / file).write_text(source.replace(text, mutant), "utf-8")
            # The copy comes first on the path, as mutmut's does; the spec, schemas and suite still resolve
            # through the installed package.
            done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                   *config["pytest_add_cli_args"], *config["pytest_add_cli_args_test_selection"]],
                                  cwd=ROOT, env={**os.environ, "PYTHONPATH": copy}, capture_output=True, text=True)
            if done.returncode != 1:  # 1: a test failed; 0: none did; anything else: the run itself broke
                survivors.append(f"{file}: {breaks} (pytest exit {done.returncode})")
    return survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ from the last run")
    parser.add_argument("--no-run", action="store_true", help="only report the last run's results")
    parser.add_argument("--survivors", action="store_true", help="list every mutant not killed")
    parser.add_argument("--no-handmade", action="store_true", help="skip the hand-made mutants")
    parser.add_argument("--fail-under", type=float, default=90.0, help="percent killed the whole must reach")
    args = parser.parse_args(argv)
    if not args.no_run:
        run(args.max_children, args.keep)
    by_file = results()
    if not by_file:
        sys.exit("no mutation results: run without --no-run first")
    width = max(map(len, by_file))
    total = Counter()
    for path, statuses in by_file.items():
        counted = Counter(status == "killed" for status in statuses.values())
        total.update(counted)
        print(f"{path:<{width}}  {counted[True]:>4}/{len(statuses):<4} killed  "
              f"{100 * counted[True] / len(statuses):5.1f} %")
    whole = 100 * total[True] / sum(total.values())
    print(f"{'verdict core':<{width}}  {total[True]:>4}/{sum(total.values()):<4} killed  {whole:5.1f} %")
    if args.survivors:
        for statuses in by_file.values():
            for name, status in statuses.items():
                if status != "killed":
                    print(f"  {status}: {name}")
    survivors = [] if args.no_handmade else handmade()
    if not args.no_handmade:
        label = "hand-made mutants"
        print(f"{label:<{width}}  {len(HANDMADE) - len(survivors):>4}/{len(HANDMADE):<4} killed")
        for survivor in survivors:
            print(f"  survived: {survivor}")
    return 1 if whole < args.fail_under or survivors else 0


if __name__ == "__main__":
    sys.exit(main())

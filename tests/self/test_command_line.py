"""The command line's manners: a reader that stops early, either case for a level, help for every option, and no
Python class name in any report of a run whose target went away."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from suite_runs import REQUEST_HANG_GUARD_S
from test_runs import wait_for_ledger, write_profile

from reactor_conformance.cli import build_parser
from reactor_conformance.refserver.server import start_server

# Commands that print, each run with its standard output already closed by its reader.
PRINTING = [
    ["requirements"],
    ["requirements", "--json"],
    ["requirements", "--level", "should"],
    ["serve", "--list-faults"],
    ["serve", "--list-variants"],
    ["--help"],
]


@pytest.mark.parametrize("args", PRINTING, ids=" ".join)
def test_a_reader_that_stopped_reading_ends_the_command_quietly_with_exit_0(args):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line: every write meets a closed pipe
    try:
        completed = subprocess.run([sys.executable, "-m", "reactor_conformance.cli", *args], stdout=write_end,
                                   stderr=subprocess.PIPE, text=True, timeout=REQUEST_HANG_GUARD_S)
    finally:
        os.close(write_end)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""


# Each level as a person may write it, and what the command keeps.
LEVELS = [
    (["run", "--level", "must"], "must"),
    (["run", "--level", "MUST"], "must"),
    (["run", "--level", "Should"], "should"),
    (["requirements", "--level", "MUST"], "MUST"),
    (["requirements", "--level", "must"], "MUST"),
    (["requirements", "--level", "info"], "INFO"),
]


@pytest.mark.parametrize("argv, kept", LEVELS, ids=[" ".join(a) for a, _ in LEVELS])
def test_a_level_is_taken_in_either_case(argv, kept):
    args, _ = build_parser().parse_known_args(argv)
    assert args.level == kept


def _options():
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    for name, command in commands.items():
        for action in command._actions:
            if action.option_strings and action.dest != "help":
                yield f"{name} {action.option_strings[-1]}", action


@pytest.mark.parametrize("option, action", list(_options()), ids=[name for name, _ in _options()])
def test_every_option_has_help_text(option, action):
    assert action.help and action.help.strip(), f"{option} has no help text"


CLASS_NAME = re.compile(r"\b(?:[a-z_]\w*\.)+[A-Z]\w*(?=:)|\b\w+(?:Error|Exception):")


def test_no_report_names_a_python_class_when_the_target_went_away(tmp_path):
    """The target stops mid-run (while the generated requests run: their tests delete what they made when they end):
    the tests that were cleaning up say so in words, never with an exception's class."""
    server = start_server()
    profile = write_profile(tmp_path / "target.toml", server)
    reports = tmp_path / "reports"
    process = subprocess.Popen([sys.executable, "-m", "reactor_conformance.cli", "run", "--profile", str(profile),
                                "--reports", str(reports), "-n", "0", "-q", "--requirement", "FUZZ-01"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_ledger(reports, process)
    finally:
        server.stop()
    process.communicate(timeout=REQUEST_HANG_GUARD_S * 4)
    run_dir = next(p for p in reports.iterdir() if p.is_dir() and not p.is_symlink())
    summary = (run_dir / "summary.json").read_text("utf-8")
    assert "did not answer" in summary or "not reached" in summary, "the target's going away left no trace"
    for name in ("summary.json", "junit.xml", "conformance.md"):
        text = (run_dir / name).read_text("utf-8")
        if name == "junit.xml":  # the message attributes, not the tracebacks kept for debugging
            text = "\n".join(re.findall(r'message="([^"]*)"', text))
        assert not CLASS_NAME.findall(text), (name, CLASS_NAME.findall(text)[:3])

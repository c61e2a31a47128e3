"""Adobe's own extension tools work unmodified against the reference server: ``interop/run.py`` packages the
minimal extension, uploads it, re-uploads it, releases it privately and runs the suite's authorization flow
on it. One chain per test run (it installs the tools with npm), on one xdist worker."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from node_tools import require_node
from project import ROOT
from suite_runs import HANG_GUARD_S

PROJECT_ROOT = ROOT
CHAIN = PROJECT_ROOT / "interop" / "run.py"
STEP = re.compile(r"^\[(\d+)/(\d+)\] (.*)$")


# What each step of the chain must show: step title (its start), and a sentence of its output.
STEPS = [
    ("install Adobe's tools from package-lock.json", "added "),
    ("start the reference server", "reference server: http://127.0.0.1:"),
    ("package the extension, version 1.0.0", "wrote archive"),
    ("upload it with IMS client credentials", "The extension package has been assigned the ID EP"),
    ("upload it with IMS client credentials", "The extension package was successfully processed."),
    ("package version 1.0.1 and re-upload it", "was found on the server and will be updated"),
    ("package version 1.0.1 and re-upload it",
     "[loopback.cjs] PATCH https://reactor.adobe.io/extension_packages/EP"),
    ("release it privately", "[loopback.cjs] PATCH https://reactor.adobe.io/extension_packages/EP"),
    ("release it privately", "has been released."),
    ("read the package back from the server", "conformance-interop-greeter 1.0.1 private"),
    ("the suite's authorization flow", " passed"),
]


def sections(output: str) -> dict[str, str]:
    """Step title → what the chain printed under it."""
    found, title = {}, None
    for line in output.splitlines():
        started = STEP.match(line)
        if started:
            title = started.group(3)
            found[title] = ""
        elif title is not None:
            found[title] += line + "\n"
    return found


def outline(output: str) -> str:
    """The steps and their verdicts, then the end of the output: enough to see which step failed and why."""
    kept = [line for line in output.splitlines()
            if STEP.match(line) or line.startswith(("  ok", "  exit code", "FAILED", "Adobe's tools"))]
    return "\n".join(kept) + "\n--- last lines ---\n" + "\n".join(output.splitlines()[-40:])


@pytest.fixture(scope="module")
def chain(tmp_path_factory) -> subprocess.CompletedProcess:
    require_node("the interop self-test (Adobe's extension tools, from npm)")
    reports = tmp_path_factory.mktemp("interop") / "reports"
    try:
        return subprocess.run([sys.executable, str(CHAIN), "--reports", str(reports)], cwd=PROJECT_ROOT,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"hung: interop/run.py gave no result in {HANG_GUARD_S} s\n{hung.stdout or ''}")


def test_the_chain_of_adobes_tools_and_the_suite_passes(chain):
    assert chain.returncode == 0, f"interop/run.py exited with {chain.returncode}\n{outline(chain.stdout)}"


@pytest.mark.parametrize("step, sentence", STEPS, ids=[f"{step}: {sentence}" for step, sentence in STEPS])
def test_each_step_shows_what_the_tool_answered(step, sentence, chain):
    shown = next((text for title, text in sections(chain.stdout).items() if title.startswith(step)), None)
    assert shown is not None, f"the step '{step}' did not run\n{outline(chain.stdout)}"
    assert sentence in shown, f"the step '{step}' did not say {sentence!r}:\n{shown[-3000:]}"
    assert "  ok (" in shown, f"the step '{step}' did not succeed:\n{shown[-3000:]}"


def test_the_server_is_stopped_whatever_happened(chain):
    assert "reference server stopped" in chain.stdout, outline(chain.stdout)

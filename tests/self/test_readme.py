"""What the README tells a newcomer to type is what CI runs, and its profile sample is a profile the tool reads:
read-only, aimed at a placeholder host."""

from __future__ import annotations

import re

from project import ROOT

from reactor_conformance.client.profile import load_profile

PROJECT_ROOT = ROOT
README = (PROJECT_ROOT / "README.md").read_text("utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, flags=re.S | re.M)


def test_ci_runs_the_readme_test_command():
    commands = [line for line in code_blocks("sh")[0].splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2, commands
    assert "reactor-conformance run" in commands[0] and "pytest" in commands[1]
    assert commands[1] in (PROJECT_ROOT / ".ci" / "run").read_text("utf-8")


def test_the_profile_sample_is_a_read_only_profile_of_a_placeholder_host(tmp_path):
    sample = next(block for block in code_blocks("toml") if block.startswith("[target]"))
    (tmp_path / "staging.toml").write_text(sample, "utf-8")
    variables = {name: "value" for name in re.findall(r"\$\{(\w+)\}", sample)}
    profile = load_profile(tmp_path / "staging.toml", variables)
    assert profile.target.base_url.endswith(".example.com") and not profile.target.allow_writes
    assert {"owner", "authorized"} <= set(profile.identities)


def test_no_example_writes_to_a_real_host_unasked():
    for line in README.splitlines():
        if "--allow-writes" in line and "--target" in line:
            target = re.search(r"--target (\S+)", line).group(1)
            assert "example" in target or "127.0.0.1" in target, line
    assert "reactor.adobe.io --" not in README

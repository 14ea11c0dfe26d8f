"""The README's two set-up commands, and CI running exactly them.

Debian's python3 refuses system-wide pip installs (PEP 668), so every install goes into .venv/ in the
checkout: these checks keep a bare `python3 -m pip install` from coming back. CI (.ci/run) runs the
commands themselves on a fresh machine.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ["scripts/serve", "scripts/test", ".ci/run"]


def quick_start_commands() -> list[str]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def ci_commands() -> list[str]:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def test_the_quick_start_is_two_commands():
    assert quick_start_commands() == ["bash scripts/serve", "bash scripts/test"]


def test_ci_runs_the_readme_commands_and_ends_with_the_tests():
    commands = ci_commands()
    assert commands[-1] == "bash scripts/test", "pytest's summary must close the CI log"
    assert any(re.match(r"(setsid )?bash scripts/serve\b", command) for command in commands)
    assert "export DECLUTTER_REQUIRE_SYSTEM_PACKAGES=1" in " ".join(commands)


@pytest.mark.parametrize("script", SCRIPTS)
def test_installs_go_into_the_venv(script):
    text = (ROOT / script).read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    code = [line.split(" #")[0] for line in text.splitlines() if not line.lstrip().startswith("#")]
    bare = [line for line in code if line.count("pip install") > line.count(".venv/bin/python -m pip install")]
    assert not bare, f"{script} installs outside .venv/: {bare}"


@pytest.mark.parametrize("script", ["scripts/serve", "scripts/test"])
def test_scripts_pass_their_arguments_on(script):
    last = (ROOT / script).read_text(encoding="utf-8").strip().splitlines()[-1]
    assert last.startswith("exec .venv/bin/") and last.endswith('"$@"')


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_parse(script):
    done = subprocess.run(["bash", "-n", str(ROOT / script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

"""The code follows the project's lint rules (ruff, configured in pyproject.toml)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    command = [sys.executable, "-m", "ruff", "check", "declutter", "server", "tests", "bench", "scripts"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_app_builds_in_a_fresh_interpreter():
    done = subprocess.run([sys.executable, "-c", "import server; server.create_app({'workers': 0})"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

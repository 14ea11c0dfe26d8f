"""The declutter command."""

import json
import subprocess
import sys
from pathlib import Path

from helpers import DAILY8_URL

from server.cli import main

SAMPLE = "tests/fixtures/daily8-article.html"


def test_extract_a_file_as_json(capsys):
    assert main(["extract", SAMPLE, "--url", DAILY8_URL]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["title"] == "U.S. envoy plays down Washington-Tokyo trade row"
    assert "No comments yet" not in body["text"]


def test_extract_from_stdin_as_markdown():
    done = subprocess.run([sys.executable, "-m", "server.cli", "extract", "-", "--format", "markdown"],
                          input=open(SAMPLE, "rb").read(), capture_output=True, check=True)
    out = done.stdout.decode()
    assert out.startswith("# U.S. envoy plays down Washington-Tokyo trade row")
    assert "Download the App" not in out


def test_extract_says_why_there_is_no_article(tmp_path, capsys):
    empty = tmp_path / "menu.html"
    empty.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert main(["extract", str(empty)]) == 1
    assert "No article" in capsys.readouterr().err


def test_serve_starts_the_app(monkeypatch):
    started = {}
    monkeypatch.setattr("flask.Flask.run", lambda self, **kw: started.update(kw))
    assert main(["serve", "--port", "5055"]) == 0
    assert started["host"] == "127.0.0.1" and started["port"] == 5055


SCRIPT = str(Path(sys.executable).parent / "declutter")  # beside the interpreter: the venv's bin, on PATH or not


def test_the_console_script_is_installed():
    done = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "extract" in done.stdout and "rules" in done.stdout


def test_unreadable_files_are_one_line_and_a_nonzero_exit(tmp_path, capsys):
    for path in (tmp_path / "missing.html", tmp_path):
        assert main(["extract", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"declutter: cannot read {path}") and err.count("\n") == 1 and "Traceback" not in err


def test_a_binary_file_is_refused(tmp_path, capsys):
    image = tmp_path / "image.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    assert main(["extract", str(image)]) == 1
    assert "not an HTML page" in capsys.readouterr().err


def test_the_library_command_runs_without_the_service():
    done = subprocess.run([sys.executable, "-m", "declutter", "extract", "-", "--format", "text"],
                          input=open(SAMPLE, "rb").read(), capture_output=True, check=True)
    assert done.stdout.decode().startswith("U.S. envoy plays down Washington-Tokyo trade row\n")


def test_help_names_the_defaults():
    done = subprocess.run([SCRIPT, "serve", "--help"], capture_output=True, text=True)
    assert "default: 127.0.0.1" in done.stdout and "default: 5000" in done.stdout

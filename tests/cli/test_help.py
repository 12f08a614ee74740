"""The command line explains itself: every command and option has help, ``sightline --help`` opens with
what Sightline is, and ``sightline manage --help`` reaches Django's own help."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sightline.cli import build_parser, main


def _undocumented(parser: argparse.ArgumentParser, path: str) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if not helps.get(name):
                    yield f"{path} {name}"
                yield from _undocumented(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction) and not action.help:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}"


def test_every_command_and_option_has_help() -> None:
    parser = build_parser()
    assert list(_undocumented(parser, "sightline")) == []
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert {"init", "ledger", "demo", "export", "generate-town", "manage"} <= set(commands)


def test_top_level_help_says_what_sightline_is(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    description = out.split("\n\n")[1]
    assert description.startswith("Sightline: one shared, append-only record")
    assert "``" not in out and "module" not in description
    assert "sightline COMMAND --help" in out and "docs/cli.md" in out


def test_manage_help_lists_django_commands(tmp_path: Path) -> None:
    env = dict(os.environ, SIGHTLINE_HOME=str(tmp_path / "home"))
    env.pop("DATABASE_URL", None)
    for argv in (["manage", "--help"], ["manage"]):
        done = subprocess.run(
            [sys.executable, "-m", "sightline.cli", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "sightline manage help <subcommand>" in done.stdout
        assert "migrate" in done.stdout and "unrecognized arguments" not in done.stderr

"""Every command explains itself in `--help`, Chinese first, then English."""

import re

import pytest
import typer
from typer.testing import CliRunner

from lifecircle.cli import app


def _commands(group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in getattr(group, "commands", {}).items():
        found += _commands(command, path + (name,))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_all_commands_are_registered():
    top = {path[0] for path in COMMANDS if path}
    assert {"demo", "access", "plan", "solve", "serve", "data", "standards"} <= top


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "lifecircle")
def test_help_is_bilingual(path):
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    text = command.help or ""
    chinese = re.search(r"[\u4e00-\u9fff]", text)
    english = re.search(r"[A-Za-z]{4,}", text)
    assert chinese, f"{path}: 没有中文说明 no Chinese help"
    assert english, f"{path}: no English help"
    assert chinese.start() < english.start(), f"{path}: 中文在前 Chinese should come first"

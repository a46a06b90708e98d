"""Finding the scanners and talking about their runs."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .._config import CONFIG_ENV
from ..localaws._server import clean_environment

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def find_tool(explicit: str | None, env_var: str, name: str, beside: str | None = None) -> str | None:
    """A tool named on the command line, in the environment, next to another tool, or on the PATH."""
    for candidate in (explicit, os.environ.get(env_var)):
        if candidate:
            return candidate
    if beside:
        sibling = Path(beside).parent / name
        if sibling.is_file() and os.access(sibling, os.X_OK):
            return str(sibling)
    return shutil.which(name)


def runnable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def scanner_env(**extra: str) -> dict[str, str]:
    """The environment without AWS settings or our configuration, so the canary's expectations hold."""
    env = clean_environment(extra)
    env.pop(CONFIG_ENV, None)
    return env


def strip_colours(text: str) -> str:
    return _ANSI.sub("", text)


def tail(text: str, lines: int = 12) -> str:
    """What a person needs from a tool's output: the lines about our checks or errors, else its end."""
    all_lines = [line.strip() for line in strip_colours(text).strip().splitlines()]
    relevant: dict[str, None] = {}
    for i, line in enumerate(all_lines):
        if any(word in line for word in ("cis_support_role", "CKV_CISSR", "CRITICAL", "ERROR", "Error:")):
            relevant[line] = None
            if "validation error" in line:  # pydantic puts the field and the reason on the next lines
                relevant.update(dict.fromkeys(all_lines[i + 1 : i + 3]))
    return "\n".join(list(relevant)[:lines] if relevant else all_lines[-lines:])

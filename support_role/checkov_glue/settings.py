"""The configuration the Checkov checks run with, and which roots it declares account baselines.

Read from ``$CIS_SUPPORT_ROLE_CONFIG`` (a file) or ``$CIS_SUPPORT_ROLE_CONFIG_INLINE`` through the
core's :func:`support_role.config_from_environment`, cached per file version: every check of
every resource asks for it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping

from .._config import CONFIG_ENV, INLINE_CONFIG_ENV, Config, ConfigError, config_from_environment
from ..sources.terraform import display_path

_CONFIG_CACHE: dict[tuple[str, float, str], Config | ConfigError] = {}
_CONFIG_SEEN: dict[str, tuple[float, float]] = {}  # path -> (when its mtime was read, that mtime)
_RESTAT_SECONDS = 1.0


def current_config(environ: Mapping[str, str] | None = None) -> Config | ConfigError:
    """The configuration of ``$CIS_SUPPORT_ROLE_CONFIG`` (read once per file version) or ``..._INLINE``.

    Every check of every resource asks for it, so the file's modification time is looked at no
    more than once a second.
    """
    env = os.environ if environ is None else environ
    path = env.get(CONFIG_ENV) or ""
    now = time.monotonic()
    seen = _CONFIG_SEEN.get(path)
    if seen is not None and now - seen[0] < _RESTAT_SECONDS:
        mtime = seen[1]
    else:
        try:
            mtime = os.stat(path).st_mtime if path else 0.0
        except OSError:
            mtime = -1.0
        _CONFIG_SEEN[path] = (now, mtime)
    key = (path, mtime, env.get(INLINE_CONFIG_ENV) or "")
    cached = _CONFIG_CACHE.get(key)
    if cached is None:
        try:
            cached = config_from_environment(env)
        except ConfigError as error:
            cached = error
        if len(_CONFIG_CACHE) > 16:
            _CONFIG_CACHE.clear()
            _CONFIG_SEEN.clear()
        _CONFIG_CACHE[key] = cached
    return cached


def glob_pattern(pattern: str) -> re.Pattern[str]:
    """A path glob: ``*`` and ``?`` stay within one path segment, ``**`` spans segments."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def is_baseline(root: str, config: Config) -> bool:
    """Whether ``support_role_account_baseline_paths`` names this root (a directory or a file).

    Each pattern is a path glob (``*`` within a segment, ``**`` across segments) matched against
    the root's absolute path and its path relative to the working directory; for a file root
    (plan JSON, template) its directory is tried too. A trailing ``/`` is ignored; ``.`` names
    the working directory.
    """
    if not config.account_baseline_paths:
        return False
    absolute = os.path.abspath(root)
    candidates = {absolute, os.path.normpath(display_path(absolute))}
    if os.path.splitext(absolute)[1] and not os.path.isdir(absolute):
        directory = os.path.dirname(absolute)
        candidates |= {directory, os.path.normpath(display_path(directory))}
    posix = {c.replace(os.sep, "/") for c in candidates}
    for raw in config.account_baseline_paths:
        pattern = raw.replace(os.sep, "/").rstrip("/") or "/"
        forms = {os.path.normpath(pattern).replace(os.sep, "/")}
        if not os.path.isabs(pattern):
            forms.add(os.path.normpath(os.path.abspath(pattern)).replace(os.sep, "/"))
        if any(glob_pattern(form).match(c) for form in forms for c in posix):
            return True
    return False

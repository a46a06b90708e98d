"""Where the tools a test drives are: the repository, the scanner environments, moto.

Runs in any environment (standard library and the core). ``scripts/envs.sh`` exports where each
scanner environment's executables are; without it the repository's ``.venvs`` folder is used. A
tool that is not there raises :class:`ToolMissing` with a message saying how to get it; the
fixtures turn it into a skip with that reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from support_role.localaws import CommandResult, MotoServer, moto_iam_command, region_for, run_command

ROOT = Path(__file__).resolve().parents[2]
VENVS = Path(os.environ.get("CIS_SUPPORT_ROLE_VENVS", ROOT / ".venvs"))
CHECKS_DIR = ROOT / "checkov_checks"


class ToolMissing(RuntimeError):
    """A tool a test needs is not installed; the message says which and how to get it."""


def _tool(env_var: str, fallback: Path) -> Path:
    value = os.environ.get(env_var)
    path = Path(value) if value else fallback
    if not path.exists():
        raise ToolMissing(f"{path} not found (set {env_var} or run: bash -c 'source scripts/envs.sh; ensure_all_envs')")
    return path


def checkov_cli() -> Path:
    return _tool("CIS_SUPPORT_ROLE_CHECKOV", VENVS / "checkov" / "bin" / "checkov")


def prowler_cli() -> Path:
    return _tool("CIS_SUPPORT_ROLE_PROWLER", VENVS / "prowler" / "bin" / "prowler")


def prowler_python() -> Path:
    return _tool("CIS_SUPPORT_ROLE_PROWLER_PYTHON", VENVS / "prowler" / "bin" / "python")


def moto_command() -> list[str]:
    """The moto server of the tests: moto with IAM's own ListEntitiesForPolicy, in Prowler's
    environment (the one that has moto)."""
    return moto_iam_command(prowler_python())


# Checkov stops parsing an HCL file after HCL_PARSE_TIMEOUT_SEC seconds of wall clock (10 by
# default) and scans on without it: on a busy machine a large generated root module is then
# silently left out. The tests give it time; the harnesses still report any file it could not parse.
CHECKOV_ENV: dict[str, str] = {"HCL_PARSE_TIMEOUT_SEC": "600"}


def tool_env() -> dict[str, str]:
    """The environment of a tool run: no AWS settings of the machine, nothing from the test run.

    Python may write the bytecode of what the tool imports (no PYTHONDONTWRITEBYTECODE): uv installs
    the environments without it, and a Prowler run that compiles its imports from source costs about
    10 CPU seconds more than one that reads them (measured on Prowler 5.46, docs/robustness.md)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    return {k: os.environ[k] for k in keep if k in os.environ}


def run_prowler(
    server: MotoServer,
    out: Path,
    *args: str,
    partition: str | None = None,
    name: str = "out",
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> CommandResult:
    """The real ``prowler aws`` CLI against a moto server's account, writing ``out/<name>.*``;
    ``args`` add the checks, formats and options, ``env`` variables (our settings). The exit code
    is left to the caller."""
    region = region_for(partition or server.partition)
    command = [str(prowler_cli()), "aws", "-f", region, "--no-banner", "-o", str(out), "-F", name, *args]
    full_env = {**tool_env(), **server.client_env(partition), **(env or {})}
    return run_command(command, env=full_env, cwd=cwd, timeout=timeout, check=False)

"""Fixtures of the end-to-end tests: scanner tools, a moto server, Terraform working directories.

A missing tool skips the tests that need it, with the reason; nothing is faked in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support_role.localaws import MotoServer, Terraform, TerraformMissing, terraform_cli
from tests.support import tools


@pytest.fixture(scope="session")
def prowler_python() -> Path:
    try:
        return tools.prowler_python()
    except tools.ToolMissing as missing:
        pytest.skip(f"Prowler's environment is missing: {missing}")


@pytest.fixture(scope="session")
def checkov_cli() -> Path:
    try:
        return tools.checkov_cli()
    except tools.ToolMissing as missing:
        pytest.skip(f"Checkov's environment is missing: {missing}")


@pytest.fixture(scope="session")
def terraform_available() -> Path:
    try:
        return terraform_cli()
    except TerraformMissing as missing:
        pytest.skip(f"terraform paths skipped: {missing}")


@pytest.fixture
def moto_server(prowler_python: Path, tmp_path: Path) -> Iterator[MotoServer]:
    """A fresh moto server (one simulated account, 123456789012) for one test, stopped after it."""
    with MotoServer(tools.moto_command(), log_dir=tmp_path) as server:
        yield server


@pytest.fixture
def terraform(terraform_available: Path, tmp_path: Path) -> Callable[[str], Terraform]:
    """Makes Terraform root module directories under the test's temporary folder."""

    def make(name: str) -> Terraform:
        return Terraform(tmp_path / name)

    return make

"""A refused configuration through the real ``prowler`` CLI (``--config-file``): an unknown
``support_role_*`` key and a wrong type each give every one of our four checks one FAIL finding on the
account naming the key, ``[codes: invalid-configuration]``, an ERROR log line, nothing read from the
account, and exit code 3. (An invalid account ID through the CLI, and a correct file applied, are in
``test_cli.py``; the account below passes every check without the mistake: ``test_robust_faults.py``.)
The same files are refused the same way by Checkov: ``tests/checkov/test_robust_config.py``."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from prowler_checks.runtime import codes_of
from support_role import RULES
from support_role.localaws import CommandResult, IamQueryClient, MotoServer, seed_scenario
from tests.prowler.test_robust_faults import support_account
from tests.support import tools

pytestmark = pytest.mark.slow

OUR_CHECKS = [rule.prowler_id for rule in RULES]
ACCOUNT = "123456789012"

BAD_CONFIGS = {
    "unknown key": (
        "aws:\n  max_unused_access_keys_days: 45\n  support_role_alow_account_roots: true\n",
        "support_role_alow_account_roots",
        "unknown configuration key",
    ),
    "wrong type": (
        "aws:\n  support_role_allowed_policies: ReadOnlyAccess\n",
        "support_role_allowed_policies",
        "must be a list of non-empty strings",
    ),
}


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    with MotoServer(tools.moto_command(), account_id=ACCOUNT) as server:
        seed_scenario(IamQueryClient(server.url), support_account())
        yield server


def _prowler(server: MotoServer, out: Path, *args: str) -> CommandResult:
    return tools.run_prowler(server, out, "-M", "csv", *args)


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_the_prowler_cli_refuses_a_bad_configuration_naming_the_key(
    case: str, server: MotoServer, tmp_path: Path
) -> None:
    text, key, message = BAD_CONFIGS[case]
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = _prowler(server, out, "-c", *OUR_CHECKS, "--config-file", str(config), "--log-level", "ERROR")
    assert result.returncode == 3, result.stdout[-2000:] + result.stderr[-2000:]
    with (tmp_path / "out" / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert sorted((r["CHECK_ID"], r["RESOURCE_NAME"], r["STATUS"]) for r in rows) == sorted(
        (check, ACCOUNT, "FAIL") for check in OUR_CHECKS
    )
    for row in rows:
        assert codes_of(row["STATUS_EXTENDED"]) == {"invalid-configuration"}
        assert key in row["STATUS_EXTENDED"] and message in row["STATUS_EXTENDED"]
    logged = [line for line in (result.stdout + result.stderr).splitlines() if "invalid configuration" in line]
    assert len(logged) == 4 and all(key in line for line in logged)  # one ERROR line per check

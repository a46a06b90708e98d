"""The simulated-account helpers that need no server: partitions, the provider block, the doctor's canary."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from support_role import EXISTS, PARTITIONS, evaluate_account
from support_role.doctor import expected_file
from support_role.doctor._prowler import canary_account, prowler_expectations
from support_role.localaws import (
    REGION_OF_PARTITION,
    MotoServer,
    MotoServerError,
    offline_provider_files,
    provider_block,
    region_for,
)
from support_role.scenarios import mismatches, scenario_account


def test_every_partition_has_a_region() -> None:
    assert set(REGION_OF_PARTITION) == set(PARTITIONS)
    assert len(set(REGION_OF_PARTITION.values())) == len(PARTITIONS)  # one region cannot serve two partitions


@pytest.mark.parametrize("partition", PARTITIONS)
def test_the_provider_block_signs_in_the_partitions_region(partition: str) -> None:
    block = provider_block(partition, endpoint="http://127.0.0.1:5000")
    assert f'region                      = "{region_for(partition)}"' in block
    assert 'iam = "http://127.0.0.1:5000"' in block and 'sts = "http://127.0.0.1:5000"' in block
    offline = offline_provider_files(partition)["providers.tf"]
    assert "endpoints" not in offline and 'version = "5.100.0"' in offline


def test_the_doctors_canary_account_expects_what_the_core_decides() -> None:
    account = canary_account(expected_file())
    results = evaluate_account(scenario_account(account), account.parsed_config())
    assert list(mismatches(account, results[""][EXISTS], {k: v for k, v in results.items() if k})) == []
    expected = {(e.check_id, e.resource): e.result for e in prowler_expectations(account)}
    assert len(expected) == 13  # exists once, three rules on each of the four roles
    assert expected[("iam_cis_support_role_trusts_specific_principals", "canary-trust-fail")] == "FAIL account-root"


def test_a_server_that_exits_at_once_is_an_error_naming_its_output(tmp_path: Path) -> None:
    crash = [sys.executable, "-c", "import sys; print('moto could not bind'); sys.exit(3)"]
    server = MotoServer(crash, log_dir=tmp_path, start_timeout=30)
    with pytest.raises(MotoServerError) as raised:
        server.start()
    message = str(raised.value)
    assert "exited before it answered" in message and "moto could not bind" in message
    assert f"(log: {tmp_path}" in message
    assert not server.running  # nothing left behind


def test_a_server_that_never_answers_is_stopped_and_reported(tmp_path: Path) -> None:
    silent = [sys.executable, "-c", "import time; print('listening elsewhere', flush=True); time.sleep(600)"]
    server = MotoServer(silent, start_timeout=1)
    started = time.monotonic()
    with pytest.raises(MotoServerError, match="did not answer within 1 s:\nlistening elsewhere"):
        server.start()
    assert time.monotonic() - started < 60  # three tries of one second, each stopped at once
    assert not server.running and server.log is not None and not server.log.exists()  # its temporary log is gone

"""The simulated-account helpers that need no moto: partitions, the provider block, a server that fails."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from support_role import PARTITIONS
from support_role.localaws import (
    REGION_OF_PARTITION,
    MotoServer,
    MotoServerError,
    offline_provider_files,
    provider_block,
    region_for,
)


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

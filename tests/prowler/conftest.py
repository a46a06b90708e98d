"""Fixtures of the Prowler tests: fake credentials, AWS managed policies in moto (built when used), a clean
cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prowler.providers.common.provider import Provider

from prowler_checks import runtime
from support_role.localaws import FAKE_CREDENTIALS, region_for
from tests.support.prowler import lazy_aws_managed_policies


@pytest.fixture(autouse=True, scope="session")
def _moto_builds_managed_policies_when_used() -> None:
    lazy_aws_managed_policies()  # about 2 CPU seconds less per in-process moto test


@pytest.fixture(autouse=True)
def _fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_IAM",
        "AWS_SESSION_TOKEN",
        "MOTO_ACCOUNT_ID",
        "CIS_SUPPORT_ROLE_CONFIG",
        "CIS_SUPPORT_ROLE_CONFIG_INLINE",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region_for("aws"))
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    runtime.clear_cache()
    yield
    runtime.clear_cache()
    Provider.set_global_provider(None)

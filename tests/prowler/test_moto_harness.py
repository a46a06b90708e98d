"""The moto harness answers IAM Identity Center wherever Prowler would ask it.

Our per-role checks call the SSO Admin API in every audited region that Prowler's region table
offers Identity Center in; a region without a moto backend answers 500, which our checks rightly
report as a MANUAL finding, so a scan of all regions against moto would disagree with the corpus.
"""

from __future__ import annotations

import boto3
from moto import mock_aws
from prowler.providers.aws.aws_provider import AwsProvider

from support_role.localaws import REGION_OF_PARTITION
from support_role.localaws.moto_iam import patched_moto


def identity_center_regions() -> set[str]:
    regions: set[str] = set()
    for partition in REGION_OF_PARTITION:
        regions |= set(AwsProvider.get_available_aws_service_regions("identity-center", partition))
    return regions


def test_every_identity_center_region_of_prowler_has_an_sso_admin_backend() -> None:
    regions = identity_center_regions()
    assert "us-east-1" in regions and "eusc-de-east-1" in regions  # the table was read
    failed: dict[str, str] = {}
    with mock_aws(), patched_moto():
        for region in sorted(regions):
            client = boto3.client(
                "sso-admin", region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
            try:
                client.list_instances()
            except Exception as error:  # any failure: the region is named
                failed[region] = f"{type(error).__name__}: {error}"
    assert failed == {}

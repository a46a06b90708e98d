"""What our moto adds to SSO Admin (support_role.localaws.moto_iam), through boto3 as the AWS provider
for Terraform calls it: tags, permissions boundaries, provisioning status, and provisioning by
assignment (in-process moto with the same patches the test server installs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.ssoadmin.responses import SSOAdminResponse

from support_role.localaws.moto_iam import _SSO_ADDED, patched_moto

ACCOUNT = "123456789012"  # moto's default account
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"


@pytest.fixture
def sso() -> Iterator[Any]:
    with mock_aws(), patched_moto():
        yield boto3.client(
            "sso-admin", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )


def _instance(sso: Any) -> str:
    return str(sso.list_instances()["Instances"][0]["InstanceArn"])


def _set(sso: Any, name: str = "SupportOps", **extra: Any) -> tuple[str, str]:
    instance = _instance(sso)
    created = sso.create_permission_set(Name=name, InstanceArn=instance, **extra)
    return instance, str(created["PermissionSet"]["PermissionSetArn"])


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_tags_of_a_permission_set_are_listed_added_and_removed(sso: Any) -> None:
    instance, arn = _set(sso, Tags=[{"Key": "team", "Value": "support"}])
    of = {"InstanceArn": instance, "ResourceArn": arn}
    assert sso.list_tags_for_resource(**of)["Tags"] == [{"Key": "team", "Value": "support"}]
    sso.tag_resource(**of, Tags=[{"Key": "cost", "Value": "ops"}, {"Key": "team", "Value": "incident"}])
    assert sso.list_tags_for_resource(**of)["Tags"] == [
        {"Key": "cost", "Value": "ops"},
        {"Key": "team", "Value": "incident"},
    ]
    sso.untag_resource(**of, TagKeys=["team", "absent"])
    assert sso.list_tags_for_resource(**of)["Tags"] == [{"Key": "cost", "Value": "ops"}]
    _, untagged = _set(sso, "ReadOnly")
    assert sso.list_tags_for_resource(InstanceArn=instance, ResourceArn=untagged)["Tags"] == []
    assert sso.list_tags_for_resource(InstanceArn=instance, ResourceArn=instance)["Tags"] == []
    with pytest.raises(ClientError) as missing:
        sso.list_tags_for_resource(InstanceArn=instance, ResourceArn=f"{instance}/ps-0000000000000000")
    assert _code(missing) == "ResourceNotFoundException"


def test_a_permissions_boundary_is_put_read_replaced_and_deleted(sso: Any) -> None:
    instance, arn = _set(sso)
    of = {"InstanceArn": instance, "PermissionSetArn": arn}
    with pytest.raises(ClientError) as none:
        sso.get_permissions_boundary_for_permission_set(**of)
    assert _code(none) == "ResourceNotFoundException"
    sso.put_permissions_boundary_to_permission_set(**of, PermissionsBoundary={"ManagedPolicyArn": SUPPORT})
    assert sso.get_permissions_boundary_for_permission_set(**of)["PermissionsBoundary"] == {"ManagedPolicyArn": SUPPORT}
    reference = {"Name": "Boundary", "Path": "/"}
    sso.put_permissions_boundary_to_permission_set(
        **of, PermissionsBoundary={"CustomerManagedPolicyReference": reference}
    )
    assert sso.get_permissions_boundary_for_permission_set(**of)["PermissionsBoundary"] == {
        "CustomerManagedPolicyReference": reference
    }
    _, other = _set(sso, "ReadOnly")  # kept per permission set
    with pytest.raises(ClientError):
        sso.get_permissions_boundary_for_permission_set(InstanceArn=instance, PermissionSetArn=other)
    sso.delete_permissions_boundary_from_permission_set(**of)
    for call in (sso.get_permissions_boundary_for_permission_set, sso.delete_permissions_boundary_from_permission_set):
        with pytest.raises(ClientError) as gone:
            call(**of)
        assert _code(gone) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as both:
        sso.put_permissions_boundary_to_permission_set(
            **of, PermissionsBoundary={"ManagedPolicyArn": SUPPORT, "CustomerManagedPolicyReference": reference}
        )
    assert _code(both) == "ValidationException"
    with pytest.raises(ClientError) as unknown:
        sso.put_permissions_boundary_to_permission_set(
            InstanceArn=instance,
            PermissionSetArn=f"{instance}/ps-0000000000000000",
            PermissionsBoundary={"ManagedPolicyArn": SUPPORT},
        )
    assert _code(unknown) == "ResourceNotFoundException"


def test_provisioning_succeeds_is_described_and_reaches_only_assigned_accounts(sso: Any) -> None:
    instance, arn = _set(sso)
    of = {"InstanceArn": instance, "PermissionSetArn": arn}
    sso.attach_managed_policy_to_permission_set(**of, ManagedPolicyArn=SUPPORT)
    # what the AWS provider does after each attachment: provision to every account the set is on
    started = sso.provision_permission_set(**of, TargetType="ALL_PROVISIONED_ACCOUNTS")
    status = started["PermissionSetProvisioningStatus"]
    assert (status["Status"], status["PermissionSetArn"]) == ("SUCCEEDED", arn)
    described = sso.describe_permission_set_provisioning_status(
        InstanceArn=instance, ProvisionPermissionSetRequestId=status["RequestId"]
    )["PermissionSetProvisioningStatus"]
    assert (described["Status"], described["RequestId"], described["PermissionSetArn"]) == (
        "SUCCEEDED",
        status["RequestId"],
        arn,
    )
    assert sso.list_accounts_for_provisioned_permission_set(**of)["AccountIds"] == []  # assigned nowhere
    # an assignment provisions the set to its account, as Identity Center does
    sso.create_account_assignment(
        **of, TargetId=ACCOUNT, TargetType="AWS_ACCOUNT", PrincipalType="GROUP", PrincipalId="group-id"
    )
    assert sso.list_accounts_for_provisioned_permission_set(**of)["AccountIds"] == [ACCOUNT]
    sso.provision_permission_set(**of, TargetType="ALL_PROVISIONED_ACCOUNTS")
    assert sso.list_permission_sets_provisioned_to_account(InstanceArn=instance, AccountId=ACCOUNT)[
        "PermissionSets"
    ] == [arn]
    _, other = _set(sso, "ReadOnly")
    sso.provision_permission_set(
        InstanceArn=instance, PermissionSetArn=other, TargetType="AWS_ACCOUNT", TargetId=ACCOUNT
    )
    assert sso.list_accounts_for_provisioned_permission_set(InstanceArn=instance, PermissionSetArn=other)[
        "AccountIds"
    ] == [ACCOUNT]
    with pytest.raises(ClientError) as no_set:  # an assignment of a permission set that does not exist
        sso.create_account_assignment(
            InstanceArn=instance,
            PermissionSetArn=f"{instance}/ps-0000000000000000",
            TargetId=ACCOUNT,
            TargetType="AWS_ACCOUNT",
            PrincipalType="GROUP",
            PrincipalId="group-id",
        )
    assert _code(no_set) == "ResourceNotFoundException"
    assert (
        len(
            sso.list_account_assignments(InstanceArn=instance, AccountId=ACCOUNT, PermissionSetArn=arn)[
                "AccountAssignments"
            ]
        )
        == 1
    )
    with pytest.raises(ClientError) as unknown:
        sso.describe_permission_set_provisioning_status(
            InstanceArn=instance, ProvisionPermissionSetRequestId="00000000-0000-0000-0000-000000000000"
        )
    assert _code(unknown) == "ResourceNotFoundException"


def test_the_additions_are_gone_outside_the_patch() -> None:
    with patched_moto():
        assert all(name in vars(SSOAdminResponse) for name in _SSO_ADDED)
    assert not any(name in vars(SSOAdminResponse) for name in _SSO_ADDED)

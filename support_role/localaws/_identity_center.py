"""IAM Identity Center in a simulated account: a corpus scenario's permission sets, and the roles
Identity Center would make from the assigned ones.

The end-to-end live path creates permission sets with ``terraform apply`` (moto's SSO Admin
backend, with the operations our moto server adds: support_role.localaws.moto_iam);
:func:`seed_permission_sets` creates them through boto3 where there is no terraform (the
in-process Prowler tests, the live path without terraform), in a moto with those operations
(``patched_moto()`` in-process, the server of ``moto_iam``: moto 5.2.5 alone has no permissions
boundary API). An account assignment creates no IAM role in moto:
:func:`seed_identity_center_roles` creates the ``AWSReservedSSO_*`` roles through IAM, as Identity
Center would create them.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from .. import _identity_center
from ..scenarios import IDENTITY_CENTER_REGION, Scenario, identity_center_trust
from ._iam import IamWriter

SUPPORT_GROUP_ID = "9067c2d4-1011-70b5-0a1b-2c3d4e5f6a7b"  # an identity store group ID (moto checks none)


class SsoAdminWriter(Protocol):
    """The SSO Admin calls :func:`seed_permission_sets` makes, as a boto3 ``sso-admin`` client names them."""

    def list_instances(self) -> Any: ...
    def create_permission_set(self, *, Name: str, InstanceArn: str) -> Any: ...
    def attach_managed_policy_to_permission_set(
        self, *, InstanceArn: str, PermissionSetArn: str, ManagedPolicyArn: str
    ) -> Any: ...
    def attach_customer_managed_policy_reference_to_permission_set(
        self, *, InstanceArn: str, PermissionSetArn: str, CustomerManagedPolicyReference: dict[str, str]
    ) -> Any: ...
    def put_inline_policy_to_permission_set(
        self, *, InstanceArn: str, PermissionSetArn: str, InlinePolicy: str
    ) -> Any: ...
    def create_account_assignment(
        self,
        *,
        InstanceArn: str,
        TargetId: str,
        TargetType: str,
        PermissionSetArn: str,
        PrincipalType: str,
        PrincipalId: str,
    ) -> Any: ...
    def put_permissions_boundary_to_permission_set(
        self, *, InstanceArn: str, PermissionSetArn: str, PermissionsBoundary: dict[str, str]
    ) -> Any: ...
    def provision_permission_set(
        self, *, InstanceArn: str, PermissionSetArn: str, TargetType: str, TargetId: str
    ) -> Any: ...


def seed_permission_sets(sso: SsoAdminWriter, scenario: Scenario) -> dict[str, str]:
    """Create the scenario's permission sets in the account's Identity Center instance (the first
    ``ListInstances`` answers), with their policies and boundary, and assign and provision the assigned
    ones to the account (see the module docstring for the moto it needs). Returns {permission set name: ARN}."""
    instance = str(sso.list_instances()["Instances"][0]["InstanceArn"])
    arns: dict[str, str] = {}
    for spec in scenario.permission_sets:
        created = sso.create_permission_set(Name=spec.name, InstanceArn=instance)
        arn = arns[spec.name] = str(created["PermissionSet"]["PermissionSetArn"])
        of_set = {"InstanceArn": instance, "PermissionSetArn": arn}
        for policy in spec.policies:
            sso.attach_managed_policy_to_permission_set(**of_set, ManagedPolicyArn=policy)
        for name in spec.customer_policies:
            sso.attach_customer_managed_policy_reference_to_permission_set(
                **of_set, CustomerManagedPolicyReference={"Name": name, "Path": "/"}
            )
        if spec.inline is not None:
            sso.put_inline_policy_to_permission_set(**of_set, InlinePolicy=json.dumps(spec.inline))
        if spec.boundary:
            sso.put_permissions_boundary_to_permission_set(
                **of_set, PermissionsBoundary={"ManagedPolicyArn": spec.boundary}
            )
        if spec.assigned:
            sso.create_account_assignment(
                **of_set,
                TargetId=scenario.account_id,
                TargetType="AWS_ACCOUNT",
                PrincipalType="GROUP",
                PrincipalId=SUPPORT_GROUP_ID,
            )
            sso.provision_permission_set(**of_set, TargetType="AWS_ACCOUNT", TargetId=scenario.account_id)
    return arns


def seed_identity_center_roles(iam: IamWriter, scenario: Scenario) -> list[str]:
    """Create the ``AWSReservedSSO_*`` role Identity Center makes from each assigned permission set of
    ``scenario`` (its path, name, SAML trust, managed and customer policies, ``AwsSSOInlinePolicy``,
    and the set's permissions boundary, which Identity Center puts on the role). The customer
    policies must exist. Returns the role names."""
    path = _identity_center.role_path(IDENTITY_CENTER_REGION)
    trust = json.dumps(identity_center_trust(scenario))
    names: list[str] = []
    for spec in scenario.permission_sets:
        if not spec.assigned:
            continue
        boundary = {"PermissionsBoundary": spec.boundary} if spec.boundary else {}
        iam.create_role(RoleName=spec.role_name, Path=path, AssumeRolePolicyDocument=trust, **boundary)
        for arn in (*spec.policies, *(scenario.customer_policy_arn(n) for n in spec.customer_policies)):
            iam.attach_role_policy(RoleName=spec.role_name, PolicyArn=arn)
        if spec.inline is not None:
            iam.put_role_policy(
                RoleName=spec.role_name,
                PolicyName=_identity_center.INLINE_POLICY_NAME,
                PolicyDocument=json.dumps(spec.inline),
            )
        names.append(spec.role_name)
    return names

"""Our Prowler checks on IAM Identity Center permission sets (in-process, moto): exact findings."""

from __future__ import annotations

import json
from typing import Any

from moto import mock_aws

from prowler_checks import runtime
from support_role import LEAST_PRIVILEGE, MFA, TRUST
from support_role.localaws.moto_iam import patched_moto
from tests.support.prowler import mocked_aws_provider, record_calls, run_checks

ACCOUNT = "123456789012"
SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"


def _document(action: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


def _permission_sets(sso: Any) -> dict[str, str]:
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    arns: dict[str, str] = {}
    for name, managed, inline in [
        ("SupportOps", [SUPPORT], _document("support:*")),
        ("SupportAdmin", [SUPPORT, "arn:aws:iam::aws:policy/AdministratorAccess"], None),
        ("SupportEc2", [SUPPORT], _document("ec2:*")),
        ("Developer", ["arn:aws:iam::aws:policy/PowerUserAccess"], None),
    ]:
        arn = sso.create_permission_set(Name=name, InstanceArn=instance)["PermissionSet"]["PermissionSetArn"]
        arns[name] = arn
        for policy in managed:
            sso.attach_managed_policy_to_permission_set(
                InstanceArn=instance, PermissionSetArn=arn, ManagedPolicyArn=policy
            )
        if inline:
            sso.put_inline_policy_to_permission_set(InstanceArn=instance, PermissionSetArn=arn, InlinePolicy=inline)
    return arns


def test_each_per_role_check_judges_the_support_permission_sets_and_names_them() -> None:
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT)
        arns = _permission_sets(provider.session.current_session.client("sso-admin", region_name="us-east-1"))
        calls = record_calls(provider.session.current_session)
        findings = run_checks((TRUST, LEAST_PRIVILEGE, MFA))
    by_key = {(f.check_metadata.CheckID, f.resource_id): f for f in findings}
    got = {key: (f.status, " ".join(sorted(runtime.codes_of(f.status_extended)))) for key, f in by_key.items()}
    trust, least, mfa = (
        "iam_cis_support_role_trusts_specific_principals",
        "iam_cis_support_role_least_privilege",
        "iam_cis_support_role_requires_mfa",
    )
    assert got == {
        **{(trust, name): ("PASS", "") for name in ("SupportOps", "SupportAdmin", "SupportEc2")},
        **{(mfa, name): ("PASS", "") for name in ("SupportOps", "SupportAdmin", "SupportEc2")},
        (least, "SupportOps"): ("PASS", ""),
        (least, "SupportAdmin"): ("FAIL", "extra-managed-policy"),
        (least, "SupportEc2"): ("FAIL", "non-support-action"),
    }
    finding = by_key[(least, "SupportEc2")]
    assert finding.resource_arn == arns["SupportEc2"]
    assert finding.region == "us-east-1"
    assert finding.check_metadata.ResourceType == "Other"
    assert finding.status_extended == (
        "permission set SupportEc2 grants more than AWS Support access: inline policy AwsSSOInlinePolicy (allows "
        "ec2:*). Fix: detach other managed policies and remove non-support statements (or allow a policy or action "
        "patterns in the configuration). [codes: non-support-action]"
    )
    assert "provisioned_to_accounts: -" in finding.resource_details
    role_finding = by_key[(trust, "SupportOps")]
    assert role_finding.check_metadata.ResourceType == "Other"
    # the three checks share one read: 1 ListInstances, 1 ListPermissionSets, 4 ListManagedPolicies, 4 per support set
    sso_calls = [op for service, op in calls if service == "sso-admin"]
    assert len(sso_calls) == 1 + 1 + 4 + 3 * 4
    assert all(op.startswith(("List", "Get", "Describe")) for op in sso_calls)


def test_a_permission_set_listing_that_fails_is_one_manual_finding_per_check() -> None:
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT)
        _permission_sets(provider.session.current_session.client("sso-admin", region_name="us-east-1"))
        from botocore.awsrequest import AWSResponse

        def denied(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            parsed = {"Error": {"Code": "AccessDeniedException", "Message": "no"}, "ResponseMetadata": {}}
            return AWSResponse("https://sso.us-east-1.amazonaws.com/", 400, {}, None), parsed

        provider.session.current_session.events.register("before-call.sso-admin.ListPermissionSets", denied)
        findings = run_checks((TRUST, LEAST_PRIVILEGE, MFA))
    manual = [f for f in findings if f.status == "MANUAL"]
    assert sorted(f.check_metadata.CheckID for f in manual) == sorted(
        [
            "iam_cis_support_role_trusts_specific_principals",
            "iam_cis_support_role_least_privilege",
            "iam_cis_support_role_requires_mfa",
        ]
    )
    for finding in manual:
        assert finding.resource_id == ACCOUNT
        assert runtime.codes_of(finding.status_extended) == frozenset({"unreadable-permission-sets"})
        assert "the scanning identity lacks sso:ListPermissionSets" in finding.status_extended
    assert [f for f in findings if f.status != "MANUAL"] == []  # no support role, no readable permission set

"""Running our Prowler checks in-process: a small mocked provider and findings turned back into verdicts.

Prowler's own test helpers are not in its wheel. :func:`mocked_aws_provider` builds a real
``AwsProvider`` object without running its constructor (which would call STS, Organizations and
every region): it sets the identity, a boto3 session carrying Prowler's own retry configuration and
the audit config, and registers it as Prowler's global provider, which is all a check reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import boto3
from prowler.lib.check.models import Check_Report_AWS
from prowler.providers.aws.aws_provider import AwsProvider
from prowler.providers.aws.models import AWSIdentityInfo, AWSSession
from prowler.providers.common.provider import Provider

from prowler_checks.iam_cis_support_role_exists.iam_cis_support_role_exists import iam_cis_support_role_exists
from prowler_checks.iam_cis_support_role_least_privilege.iam_cis_support_role_least_privilege import (
    iam_cis_support_role_least_privilege,
)
from prowler_checks.iam_cis_support_role_requires_mfa.iam_cis_support_role_requires_mfa import (
    iam_cis_support_role_requires_mfa,
)
from prowler_checks.iam_cis_support_role_trusts_specific_principals.iam_cis_support_role_trusts_specific_principals import (  # noqa: E501
    iam_cis_support_role_trusts_specific_principals,
)
from support_role import EXISTS, LEAST_PRIVILEGE, MFA, TRUST, Problem, Verdict
from support_role._codec import read_prowler_finding
from support_role.localaws import region_for

CHECKS: dict[str, type] = {
    EXISTS: iam_cis_support_role_exists,
    TRUST: iam_cis_support_role_trusts_specific_principals,
    LEAST_PRIVILEGE: iam_cis_support_role_least_privilege,
    MFA: iam_cis_support_role_requires_mfa,
}
RULE_OF_CHECK = {cls.__name__: rule_id for rule_id, cls in CHECKS.items()}


def mocked_aws_provider(
    account_id: str, partition: str = "aws", audit_config: Mapping[str, object] | None = None
) -> AwsProvider:
    region = region_for(partition)
    provider = AwsProvider.__new__(AwsProvider)
    session_config = AwsProvider.set_session_config(None)
    session = boto3.session.Session(region_name=region)
    session._session.set_default_client_config(session_config)  # as AwsProvider.setup_session does
    provider._type = "aws"
    provider._identity = AWSIdentityInfo(
        account=account_id,
        account_arn=f"arn:{partition}:iam::{account_id}:root",
        user_id="AIDASCANNERUSER000001",
        partition=partition,
        identity_arn=f"arn:{partition}:iam::{account_id}:user/scanner",
        profile="default",
        profile_region=region,
        audited_regions={region},
    )
    provider._session = AWSSession(current_session=session, original_session=session, session_config=session_config)
    provider._audit_config = dict(audit_config or {})
    provider._audit_resources = []
    provider._fixer_config = {}
    Provider.set_global_provider(provider)
    return provider


_LAZY: Any = object()  # a backend's AWS managed policies, not built yet


def lazy_aws_managed_policies() -> None:
    """Make in-process moto build an IAM backend's AWS managed policies when they are first used.

    With ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` (what the Prowler tests run with: attaching
    AWSSupportAccess needs it) moto parses its ~1,500 managed policies and builds an object for each
    in every IAM backend it makes: one per partition (6) for each account it meets, and again for
    each at the reset that ends every ``mock_aws`` block, about 2 CPU seconds per test of which a
    test uses one backend's. Here the data is parsed once per process and a backend builds its
    policies, the same objects from the same data, on its first look at ``managed_policies``;
    a backend made without the setting still gets none. Patches moto's ``IAMBackend`` class for
    the rest of the process (the tests' in-process moto only; the moto servers are untouched).
    """
    import json

    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy, IAMBackend
    from moto.settings import load_iam_aws_managed_policies

    if isinstance(IAMBackend.__dict__.get("managed_policies"), property):
        return
    parsed: dict[str, Any] = json.loads(aws_managed_policies_data)

    def no_aws_policies(self: IAMBackend) -> list[Any]:
        return []  # the list moto keeps besides managed_policies: read by nothing but __init__

    def lazy_when_loaded(self: IAMBackend) -> Any:
        return _LAZY if load_iam_aws_managed_policies() else {}

    def get(self: IAMBackend) -> dict[str, Any]:
        policies = self.__dict__["managed_policies"]
        if policies is _LAZY:
            region = self.region_name
            built = (AWSManagedPolicy.from_data(name, self.account_id, region, d) for name, d in parsed.items())
            policies = self.__dict__["managed_policies"] = {policy.arn: policy for policy in built}
        return policies  # type: ignore[no-any-return]

    def put(self: IAMBackend, policies: dict[str, Any]) -> None:
        self.__dict__["managed_policies"] = policies

    IAMBackend._init_aws_policies = no_aws_policies  # type: ignore[method-assign]
    IAMBackend._init_managed_policies = lazy_when_loaded  # type: ignore[method-assign]
    IAMBackend.managed_policies = property(get, put)  # type: ignore[assignment]


def iam_client_of(provider: AwsProvider) -> Any:
    return provider.session.current_session.client("iam", region_name=region_for(provider.identity.partition))


def run_checks(rule_ids: Iterable[str] = tuple(CHECKS)) -> list[Check_Report_AWS]:
    """Instantiate our checks (Prowler validates their metadata) and execute them."""
    findings: list[Check_Report_AWS] = []
    for rule_id in rule_ids:
        findings.extend(CHECKS[rule_id]().execute())
    return findings


def verdict_of(check_id: str, status: str, status_extended: str, resource: str) -> Verdict:
    """The verdict a finding of ours carries, read by the codec: its status (MANUAL, and FAIL marked
    strict, are UNKNOWN), its reason and its problem codes (Prowler's text carries no subjects)."""
    wire = read_prowler_finding(status, status_extended)
    problems = tuple(Problem(code, "", "") for code in sorted(wire.codes))
    return Verdict(RULE_OF_CHECK[check_id], wire.status, resource, wire.reason, problems)


def as_verdict(finding: Check_Report_AWS) -> Verdict:
    """The verdict an in-process finding carries (:func:`verdict_of`)."""
    check_id = finding.check_metadata.CheckID
    return verdict_of(check_id, finding.status, finding.status_extended, finding.resource_id)


def verdicts(findings: Iterable[Check_Report_AWS]) -> tuple[list[Verdict], dict[str, dict[str, Verdict]]]:
    """(exists verdicts, {role name: {rule: verdict}}); fails on two findings for one role and rule."""
    exists: list[Verdict] = []
    roles: dict[str, dict[str, Verdict]] = {}
    for finding in findings:
        verdict = as_verdict(finding)
        if verdict.rule_id == EXISTS:
            exists.append(verdict)
            continue
        per_rule = roles.setdefault(finding.resource_id, {})
        assert verdict.rule_id not in per_rule, f"two {verdict.rule_id} findings for {finding.resource_id}"
        per_rule[verdict.rule_id] = verdict
    return exists, roles


def record_calls(session: boto3.session.Session) -> list[tuple[str, str]]:
    """Every AWS API operation made by clients created from ``session`` from now on: (service, operation)."""
    calls: list[tuple[str, str]] = []

    def record(model: Any, **_: Any) -> None:
        calls.append((model.service_model.service_name, model.name))

    session.events.register("before-call", record)
    return calls


def fail_operation(
    session: boto3.session.Session,
    operation: str,
    code: str,
    message: str = "injected by the test",
    status: int = 403,
    after: int = 0,
) -> None:
    """Make IAM ``operation`` answer with ``code`` (as AWS would, a ClientError) after ``after`` good calls.

    The error is what botocore raises once its retries are spent, so throttling injected here is
    throttling that outlived the retries.
    """
    from botocore.awsrequest import AWSResponse

    seen = [0]

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        seen[0] += 1
        if seen[0] <= after:
            return None
        parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
        return AWSResponse("https://iam.amazonaws.com/", status, {}, None), parsed

    session.events.register(f"before-call.iam.{operation}", answer)


READ_ONLY = {"iam": ("List", "Get"), "sso-admin": ("List", "Get", "Describe")}


def assert_read_only(calls: list[tuple[str, str]]) -> None:
    writes = [(service, op) for service, op in calls if not op.startswith(READ_ONLY.get(service, ("-",)))]
    assert writes == [], f"calls that are not IAM List*/Get* or SSO Admin List*/Get*/Describe*: {writes}"

"""AWS faults at run time, beyond ``test_failures.py``: every call the checks make failing with AccessDenied
(the hint calls of an account without a support role included), throttling retried by Prowler's own
retry configuration and then given up (injected below botocore's retry handler, so the retries are
real), a customer or inline policy deleted between listing and reading (NoSuchEntity, really deleted
in moto mid-run), the IAM endpoint unreachable, ``ListEntitiesForPolicy`` answering in many pages, a
trust policy at IAM's size limits, an account whose only holder of AWSSupportAccess is a group, and a
check that cannot even start (an invalid IAM endpoint).

Each gives the documented finding, naming the failed call; every run gives each check a finding
whenever it could not look; every call is an IAM List*/Get* read (``assert_read_only``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError
from moto import mock_aws
from prowler.providers.aws.aws_provider import AwsProvider

from prowler_checks.runtime import codes_of
from support_role.localaws import seed_scenario
from support_role.localaws.moto_iam import patched_moto
from support_role.scenarios import Scenario, scenario_from_mapping
from tests.support.prowler import assert_read_only, iam_client_of, mocked_aws_provider, record_calls, run_checks

ACCOUNT = "123456789012"
EXISTS_ID = "iam_cis_support_role_exists"
TRUST_ID = "iam_cis_support_role_trusts_specific_principals"
LP_ID = "iam_cis_support_role_least_privilege"
MFA_ID = "iam_cis_support_role_requires_mfa"
CHECK_IDS = (EXISTS_ID, TRUST_ID, LP_ID, MFA_ID)
ROLE = "aws-support"
SUPPORT_ARN = "arn:aws:iam::aws:policy/AWSSupportAccess"
SUPPORT_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "support:*", "Resource": "*"}]}
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def _trust(*principals: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole", "Condition": MFA}
        ],
    }


def support_account() -> Scenario:
    """One support role passing every rule, with a customer and an inline policy to read."""
    return scenario_from_mapping(
        {
            "name": "robust-support",
            "users": ["alice"],
            "customer_policies": {"support-extras": SUPPORT_ONLY},
            "roles": [
                {
                    "name": ROLE,
                    "trust": _trust("arn:{partition}:iam::{account}:user/alice"),
                    "policies": [
                        "arn:{partition}:iam::aws:policy/AWSSupportAccess",
                        "arn:{partition}:iam::{account}:policy/support-extras",
                    ],
                    "inline": {"support-inline": SUPPORT_ONLY},
                }
            ],
            "expect": {"support-role-exists": "PASS"},
        }
    )


def hints_account() -> Scenario:
    """No support role: a user holds the policy, a role uses it as a boundary, a look-alike is attached."""
    return scenario_from_mapping(
        {
            "name": "robust-no-support-role",
            "users": ["bob"],
            "user_policies": {"bob": ["arn:{partition}:iam::aws:policy/AWSSupportAccess"]},
            "customer_policies": {"AWSSupportAccess": SUPPORT_ONLY},
            "roles": [
                {
                    "name": "boundary-only",
                    "trust": _trust("arn:{partition}:iam::{account}:user/bob"),
                    "boundary": "arn:{partition}:iam::aws:policy/AWSSupportAccess",
                },
                {
                    "name": "look-alike-holder",
                    "trust": _trust("arn:{partition}:iam::{account}:user/bob"),
                    "policies": ["arn:{partition}:iam::{account}:policy/AWSSupportAccess"],
                },
            ],
            "expect": {
                "support-role-exists": "FAIL no-support-role support-policy-not-on-role look-alike-policy boundary-only"
            },
        }
    )


Summary = dict[str, list[tuple[str, str, frozenset[str]]]]


@contextmanager
def scanned(scenario: Scenario, config: dict[str, object] | None = None) -> Iterator[tuple[AwsProvider, list[Any]]]:
    """A moto account seeded with ``scenario``; the block installs faults, then ``run()`` scans it."""
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT, "aws", config or {})
        seed_scenario(iam_client_of(provider), scenario)
        yield provider, record_calls(provider.session.current_session)


def summary(findings: list[Any]) -> Summary:
    result: Summary = {check: [] for check in CHECK_IDS}
    for finding in findings:
        result[finding.check_metadata.CheckID].append(
            (finding.resource_id, finding.status, codes_of(finding.status_extended))
        )
    return {check: sorted(items) for check, items in result.items()}


def texts(findings: list[Any]) -> dict[str, str]:
    return {f"{f.check_metadata.CheckID} {f.resource_id}": f.status_extended for f in findings}


def _pass(resource: str = ROLE) -> list[tuple[str, str, frozenset[str]]]:
    return [(resource, "PASS", frozenset())]


def _manual(resource: str, *codes: str) -> list[tuple[str, str, frozenset[str]]]:
    return [(resource, "MANUAL", frozenset(codes))]


# --- AccessDenied on the calls test_failures.py does not cover ------------------------------------

HINT_CODES = {"no-support-role", "support-policy-not-on-role", "look-alike-policy", "boundary-only"}
DENIED_CASES: dict[str, tuple[Callable[[], Scenario], str, int, Summary, str]] = {
    # name: (account, operation, good calls before it fails, expected summary, text naming the failed call)
    "ListRolePolicies": (
        support_account,
        "ListRolePolicies",
        0,
        {
            EXISTS_ID: _pass(ACCOUNT),
            TRUST_ID: _pass(),
            LP_ID: _manual(ROLE, "unreadable-inline-policies"),
            MFA_ID: _pass(),
        },
        "ListRolePolicies on role aws-support failed with AccessDenied (the scanning identity lacks "
        "iam:ListRolePolicies)",
    ),
    "GetPolicyVersion": (
        support_account,
        "GetPolicyVersion",
        0,
        {EXISTS_ID: _pass(ACCOUNT), TRUST_ID: _pass(), LP_ID: _manual(ROLE, "policy-not-visible"), MFA_ID: _pass()},
        f"GetPolicyVersion on arn:aws:iam::{ACCOUNT}:policy/support-extras failed with AccessDenied (the scanning "
        "identity lacks iam:GetPolicyVersion)",
    ),
    "ListEntitiesForPolicy-boundary": (
        hints_account,
        "ListEntitiesForPolicy",
        1,  # the second listing: roles using AWSSupportAccess as their permissions boundary
        {
            EXISTS_ID: [(ACCOUNT, "FAIL", frozenset(HINT_CODES - {"boundary-only"}))],
            TRUST_ID: [],
            LP_ID: [],
            MFA_ID: [],
        },
        "roles using AWSSupportAccess as a permissions boundary were not all listed: ListEntitiesForPolicy on "
        f"{SUPPORT_ARN} failed with AccessDenied (the scanning identity lacks iam:ListEntitiesForPolicy)",
    ),
    "ListPolicies": (
        hints_account,
        "ListPolicies",
        0,
        {
            EXISTS_ID: [(ACCOUNT, "FAIL", frozenset(HINT_CODES - {"look-alike-policy"}))],
            TRUST_ID: [],
            LP_ID: [],
            MFA_ID: [],
        },
        "customer managed policies named AWSSupportAccess or with support permissions were not looked for: "
        "ListPolicies on the account failed with AccessDenied (the scanning identity lacks iam:ListPolicies)",
    ),
    "ListEntitiesForPolicy-look-alike": (
        hints_account,
        "ListEntitiesForPolicy",
        2,  # the third listing: the roles holding the look-alike customer policy
        {
            EXISTS_ID: [(ACCOUNT, "FAIL", frozenset(HINT_CODES - {"look-alike-policy"}))],
            TRUST_ID: [],
            LP_ID: [],
            MFA_ID: [],
        },
        f"the roles holding arn:aws:iam::{ACCOUNT}:policy/AWSSupportAccess were not all listed: ListEntitiesForPolicy "
        f"on arn:aws:iam::{ACCOUNT}:policy/AWSSupportAccess failed with AccessDenied",
    ),
}


def test_without_faults_the_two_accounts_give_their_plain_verdicts() -> None:
    """The baseline each fault below departs from."""
    with scanned(support_account()) as (_, calls):
        findings = run_checks()
    assert summary(findings) == {EXISTS_ID: _pass(ACCOUNT), TRUST_ID: _pass(), LP_ID: _pass(), MFA_ID: _pass()}
    assert_read_only(calls)
    with scanned(hints_account()) as (_, calls):
        findings = run_checks()
    # no support role: the exists check FAILS naming what holds the policy instead; the per-role checks have
    # no support role to judge, so they report nothing (docs/DECISIONS.md, "Not a support role")
    assert summary(findings) == {
        EXISTS_ID: [(ACCOUNT, "FAIL", frozenset(HINT_CODES))],
        TRUST_ID: [],
        LP_ID: [],
        MFA_ID: [],
    }
    assert "user bob" in findings[0].status_extended
    assert [op for service, op in calls if service == "iam"] == [
        "ListEntitiesForPolicy",
        "ListEntitiesForPolicy",
        "ListPolicies",
        "ListEntitiesForPolicy",
    ]
    assert_read_only(calls)


def deny_once(provider: AwsProvider, operation: str, after: int) -> None:
    """AccessDenied on the call of ``operation`` that follows ``after`` good ones, and on that call only."""
    seen = [0]

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        seen[0] += 1
        if seen[0] != after + 1:
            return None
        parsed = {"Error": {"Code": "AccessDenied", "Message": "denied by the test"}}
        return AWSResponse("https://iam.amazonaws.com/", 403, {}, None), parsed  # type: ignore[arg-type]

    provider.session.current_session.events.register(f"before-call.iam.{operation}", answer)


@pytest.mark.parametrize("case", list(DENIED_CASES))
def test_access_denied_on_each_remaining_call(case: str) -> None:
    account, operation, after, expected, named = DENIED_CASES[case]
    with scanned(account()) as (provider, calls):
        deny_once(provider, operation, after)
        findings = run_checks()
    assert summary(findings) == expected
    assert any(named in text for text in texts(findings).values()), texts(findings)
    assert_read_only(calls)


# --- deleted between listing and reading (NoSuchEntity, really deleted in moto) -------------------


def _delete_before(provider: AwsProvider, operation: str, delete: Callable[[Any], None]) -> None:
    """Delete something with a second client just before ``operation`` is first sent."""
    other = boto3.client("iam", region_name="us-east-1")
    events = provider.session.current_session.events

    def hook(**_: Any) -> None:
        events.unregister(f"before-call.iam.{operation}", hook)
        delete(other)

    events.register(f"before-call.iam.{operation}", hook)


def _delete_customer_policy(iam: Any) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:policy/support-extras"
    iam.detach_role_policy(RoleName=ROLE, PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)


DELETED_CASES: dict[str, tuple[str, Callable[[Any], None], Summary, str]] = {
    "customer policy before GetPolicy": (
        "GetPolicy",
        _delete_customer_policy,
        {EXISTS_ID: _pass(ACCOUNT), TRUST_ID: _pass(), LP_ID: _manual(ROLE, "policy-not-visible"), MFA_ID: _pass()},
        f"GetPolicy on arn:aws:iam::{ACCOUNT}:policy/support-extras failed with NoSuchEntity (it no longer exists",
    ),
    "inline policy before GetRolePolicy": (
        "GetRolePolicy",
        lambda iam: iam.delete_role_policy(RoleName=ROLE, PolicyName="support-inline"),
        {EXISTS_ID: _pass(ACCOUNT), TRUST_ID: _pass(), LP_ID: _manual(ROLE, "policy-not-visible"), MFA_ID: _pass()},
        "GetRolePolicy on inline policy support-inline of role aws-support failed with NoSuchEntity",
    ),
}


@pytest.mark.parametrize("case", list(DELETED_CASES))
def test_a_policy_deleted_between_listing_and_reading(case: str) -> None:
    operation, delete, expected, named = DELETED_CASES[case]
    with scanned(support_account()) as (provider, calls):
        _delete_before(provider, operation, delete)
        findings = run_checks()
    assert summary(findings) == expected
    assert any(named in text for text in texts(findings).values()), texts(findings)
    assert_read_only(calls)


# --- throttling and connection errors, retried by Prowler's retry configuration ------------------

THROTTLED = (
    b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
    b"<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>robust</RequestId></ErrorResponse>"
)


class _Body:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.content


def throttle(provider: AwsProvider, operation: str, times: int) -> list[int]:
    """Answer the first ``times`` HTTP attempts of ``operation`` with a 400 Throttling, below botocore's
    retry handler (before moto sees the request); returns the list of attempts seen."""
    attempts: list[int] = []

    def send(request: Any, **_: Any) -> AWSResponse | None:
        attempts.append(1)
        if len(attempts) > times:
            return None  # moto answers
        return AWSResponse(request.url, 400, {"Content-Type": "text/xml"}, _Body(THROTTLED))  # type: ignore[arg-type]

    provider.session.current_session.events.register_first(f"before-send.iam.{operation}", send)
    return attempts


def _max_attempts(provider: AwsProvider) -> int:
    """Attempts per call under Prowler's retry configuration (botocore reads ``max_attempts`` as retries
    and rewrites it, in place, as ``total_max_attempts`` = retries + 1 once a client is made)."""
    retries = provider.session.session_config.retries
    assert retries is not None and retries["mode"] == "standard"
    if "total_max_attempts" in retries:
        return int(retries["total_max_attempts"])
    return int(retries["max_attempts"]) + 1


def test_throttling_is_retried_by_prowlers_retry_configuration_and_then_answered() -> None:
    with scanned(support_account()) as (provider, calls):
        attempts = throttle(provider, "GetRole", times=_max_attempts(provider) - 1)
        findings = run_checks()
    assert len(attempts) == _max_attempts(provider) == 4  # Prowler's default: 3 retries in standard mode
    assert summary(findings) == {EXISTS_ID: _pass(ACCOUNT), TRUST_ID: _pass(), LP_ID: _pass(), MFA_ID: _pass()}
    assert [op for _, op in calls].count("GetRole") == 1  # one API call, retried inside botocore
    assert_read_only(calls)


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        (
            "ListEntitiesForPolicy",
            {check: _manual(ACCOUNT, "unreadable-account") for check in CHECK_IDS},
        ),
        (
            "GetRole",
            {
                EXISTS_ID: _pass(ACCOUNT),
                TRUST_ID: _manual(ROLE, "unreadable-trust-policy"),
                LP_ID: _pass(),
                MFA_ID: _manual(ROLE, "unreadable-trust-policy"),
            },
        ),
    ],
)
def test_throttling_that_outlives_the_retries_is_manual_naming_the_call(operation: str, expected: Summary) -> None:
    with scanned(support_account()) as (provider, calls):
        attempts = throttle(provider, operation, times=100)
        findings = run_checks()
    assert len(attempts) == _max_attempts(provider)  # retried, then given up
    assert summary(findings) == expected
    manual = [text for text in texts(findings).values() if "MANUAL" in text or "could not be decided" in text]
    assert manual and all(
        f"{operation} on " in text and "failed with Throttling (throttled by AWS beyond the client's retries)" in text
        for text in manual
    )
    assert_read_only(calls)


def test_an_unreachable_iam_endpoint_is_retried_then_manual_for_every_check() -> None:
    with scanned(support_account()) as (provider, calls):
        attempts: list[int] = []

        def unreachable(request: Any, **_: Any) -> None:
            attempts.append(1)
            raise EndpointConnectionError(endpoint_url=request.url)

        provider.session.current_session.events.register_first("before-send.iam", unreachable)
        findings = run_checks()
    assert len(attempts) == _max_attempts(provider)  # one call, its retries, then given up
    assert summary(findings) == {check: _manual(ACCOUNT, "unreadable-account") for check in CHECK_IDS}
    assert all(
        f"ListEntitiesForPolicy on {SUPPORT_ARN} failed with EndpointConnectionError" in text
        for text in texts(findings).values()
    )
    assert_read_only(calls)


# --- many pages -----------------------------------------------------------------------------------


def many_support_roles(count: int) -> Scenario:
    return scenario_from_mapping(
        {
            "name": "robust-pages",
            "users": ["alice", "u1", "u2"],
            "user_policies": {u: ["arn:{partition}:iam::aws:policy/AWSSupportAccess"] for u in ("u1", "u2")},
            "groups": {"support-team": ["arn:{partition}:iam::aws:policy/AWSSupportAccess"]},
            "roles": [
                {
                    "name": f"support-{i:02d}",
                    "trust": _trust("arn:{partition}:iam::{account}:user/alice"),
                    "policies": ["arn:{partition}:iam::aws:policy/AWSSupportAccess"],
                }
                for i in range(count)
            ],
            "expect": {"support-role-exists": "PASS"},
        }
    )


def test_many_pages_of_list_entities_for_policy_find_every_support_role() -> None:
    """IAM may answer with fewer entities than asked for: here 2 per page, 10 entities, so 5 pages."""
    with scanned(many_support_roles(7)) as (provider, calls):
        sizes: list[object] = []

        def small_pages(params: dict[str, Any], **_: Any) -> None:
            sizes.append(params.get("MaxItems"))
            params["MaxItems"] = 2

        provider.session.current_session.events.register("provide-client-params.iam.ListEntitiesForPolicy", small_pages)
        findings = run_checks()
    roles = [f"support-{i:02d}" for i in range(7)]
    assert [op for _, op in calls].count("ListEntitiesForPolicy") == 5
    assert set(sizes) == {1000}  # the reader asks for IAM's maximum page
    result = summary(findings)
    assert result[EXISTS_ID] == _pass(ACCOUNT)
    assert all(role in findings[0].status_extended for role in roles)  # the PASS names every support role
    for check in (TRUST_ID, LP_ID, MFA_ID):
        assert result[check] == [(role, "PASS", frozenset()) for role in roles]
    assert_read_only(calls)


# --- a trust policy at IAM's size limits ----------------------------------------------------------


def _trust_of_length(length: int, last: str) -> dict[str, Any]:
    """A trust policy whose JSON (no whitespace, as IAM counts it) is exactly ``length`` characters."""
    principals = [f"arn:aws:iam::{ACCOUNT}:user/u{i:03d}" for i in range(200)]
    for count in range(1, 200):
        users = [*principals[:count], last]
        document = _trust(*users)
        size = len(json.dumps(document, separators=(",", ":")))
        if size > length:
            users = [*principals[: count - 1], last]
            document = _trust(*users)
            size = len(json.dumps(document, separators=(",", ":")))
            pad = length - size
            document["Statement"][0]["Sid"] = "p" * (pad - len(',"Sid":""'))
            assert len(json.dumps(document, separators=(",", ":"))) == length
            return document
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("length", "last", "trust", "mfa"),
    [
        (2048, f"arn:aws:iam::{ACCOUNT}:user/zed", ("PASS", frozenset()), ("PASS", frozenset())),
        # 4,096 is the limit once the quota is raised; a wildcard as the very last principal is still seen
        (4096, "*", ("FAIL", frozenset({"wildcard-principal"})), ("PASS", frozenset())),
    ],
)
def test_a_trust_policy_at_iams_size_limit_is_read_whole(
    length: int, last: str, trust: tuple[str, frozenset[str]], mfa: tuple[str, frozenset[str]]
) -> None:
    document = _trust_of_length(length, last)
    with mock_aws(), patched_moto():
        provider = mocked_aws_provider(ACCOUNT, "aws", {})
        iam = iam_client_of(provider)
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(document, separators=(",", ":")))
        iam.attach_role_policy(RoleName=ROLE, PolicyArn=SUPPORT_ARN)
        calls = record_calls(provider.session.current_session)
        findings = run_checks()
    result = summary(findings)
    assert result[TRUST_ID] == [(ROLE, *trust)]
    assert result[MFA_ID] == [(ROLE, *mfa)]
    principals = document["Statement"][0]["Principal"]["AWS"]
    if trust[0] == "PASS":
        trusted = next(f for f in findings if f.check_metadata.CheckID == TRUST_ID).status_extended
        assert all(p in trusted for p in principals)  # every principal read and named
    assert_read_only(calls)


# --- a check that cannot start still reports ------------------------------------------------------


def test_a_check_that_cannot_start_reports_manual_instead_of_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Prowler drops the findings of a check that raises (exit 0, one log line). An invalid IAM endpoint
    makes creating the IAM client raise: each check must still give one MANUAL finding naming the error."""
    with scanned(support_account()) as (_, calls):
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", "not a url")
        findings = run_checks()
    assert summary(findings) == {check: _manual(ACCOUNT, "check-error") for check in CHECK_IDS}
    assert all("Invalid endpoint: not a url" in text for text in texts(findings).values())
    assert calls == []


def test_strict_mode_makes_a_check_that_cannot_start_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    with scanned(support_account(), {"support_role_strict_unknown": True}) as _:
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", "not a url")
        findings = run_checks()
    assert summary(findings) == {check: [(ACCOUNT, "FAIL", frozenset({"check-error"}))] for check in CHECK_IDS}

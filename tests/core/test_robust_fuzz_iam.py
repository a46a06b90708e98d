"""Fuzz of the IAM-API source (``support_role.sources.iam_api``) and reader (``iam_reader``).

A fake IAM client answers every call with a response drawn at call time: a well-formed answer
(documents readable or not), an answer with noise in fields no rule reads, an answer whose shape
is wrong where it matters (not an object, a list that is not a list, a name that is not a string,
a truncated page without a marker, a marker that repeats), or an exception of any shape
(botocore-like ClientError codes, bare exceptions). Whatever it answers:

* ``read_account`` returns; nothing escapes, and every call it makes is a List*/Get* read;
* every failed or malformed call is recorded as a failure naming the call;
* no verdict is PASS when a fact it rests on came from a failed or malformed call, or from a
  document that does not parse; the exists rule's FAIL rests only on a complete, well-formed
  listing (otherwise UNKNOWN).

The number of generated accounts is counted and asserted (see ``FUZZ_CASES``).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support_role import (
    LEAST_PRIVILEGE,
    MFA,
    TRUST,
    Config,
    PolicyDocument,
    Status,
    evaluate_exists,
    evaluate_role,
    parse_policy,
)
from support_role.sources.iam_api import role_from_api
from support_role.sources.iam_reader import REQUIRED_ACTIONS, read_account

FUZZ_CASES = {"read_account": 400, "role_from_api": 200}
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}

ACCOUNT = "123456789012"
SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
CUSTOMER = f"arn:aws:iam::{ACCOUNT}:policy/support-extras"
LOOK_ALIKE = f"arn:aws:iam::{ACCOUNT}:policy/AWSSupportAccess"
ROLE_NAMES = ["aws-support", "ops-support", "rôle-ünïcode-支持", "r" * 64]
MARKERS = ["m1", "m2", "m3"]

GOOD_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
WILD_TRUST = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*"}}
SUPPORT_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "support:*", "Resource": "*"}]}
TOO_MUCH = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)


def _document_forms(document: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A document as boto3 gives it (a mapping), as the raw API does (URL-encoded JSON), or as text."""
    text = json.dumps(document)
    return st.sampled_from([document, urllib.parse.quote(text), text])


def _broken(document: dict[str, Any]) -> st.SearchStrategy[Any]:
    """An unreadable document: truncated, invalid, an unresolved reference, the wrong type."""
    text = json.dumps(document)
    return st.one_of(
        st.integers(1, len(text) - 1).map(lambda n: text[:n]),
        st.integers(1, len(text) - 1).map(lambda n: urllib.parse.quote(text[:n])),
        st.sampled_from(["", "{", "null", "[]", "%7B%22Statement", "var.policy", "${data.x.json}", "{'a': 1}"]),
        junk,
    )


# readable documents are drawn more often than broken ones, so that PASS verdicts occur and are checked
trust_documents = st.one_of(
    _document_forms(GOOD_TRUST), _document_forms(GOOD_TRUST), _document_forms(WILD_TRUST), _broken(GOOD_TRUST)
)
permission_documents = st.one_of(
    _document_forms(SUPPORT_ONLY), _document_forms(SUPPORT_ONLY), _document_forms(TOO_MUCH), _broken(SUPPORT_ONLY)
)


class Denied(Exception):
    """Shaped like botocore's ClientError: ``error.response["Error"]["Code"]``."""

    def __init__(self, code: object, message: object = "injected") -> None:
        super().__init__(f"{code}: {message}")
        self.response = {"Error": {"Code": code, "Message": message}}


class OddlyShaped(Exception):
    def __init__(self, response: object) -> None:
        super().__init__("oddly shaped error")
        self.response = response


errors = st.one_of(
    st.sampled_from(["AccessDenied", "Throttling", "NoSuchEntity", "ServiceFailure", "RequestLimitExceeded"]).map(
        Denied
    ),
    st.text(max_size=12).map(Denied),
    junk.map(OddlyShaped),
    st.sampled_from([ConnectionError("reset"), TimeoutError("read timed out"), KeyError("x"), ValueError("?")]),
    st.sampled_from([RuntimeError("boom"), UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad byte")]),
)


@dataclass
class Answer:
    kind: str  # "valid" | "noise" | "bad" | "error"
    value: Any = None


def _page(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    if draw(st.integers(0, 3)) == 0:
        body["IsTruncated"] = True
        body["Marker"] = draw(st.sampled_from(MARKERS))
    else:
        body["IsTruncated"] = False
    return body


def _valid(draw: st.DrawFn, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """A response of the IAM API's shape (what botocore would parse)."""
    if operation == "ListEntitiesForPolicy":
        names = draw(st.lists(st.sampled_from(ROLE_NAMES), max_size=3, unique=True))
        users = draw(st.lists(st.sampled_from(["bob", "carol"]), max_size=2, unique=True))
        groups = draw(st.lists(st.sampled_from(["support-team"]), max_size=1))
        return _page(
            draw,
            {
                "PolicyRoles": [{"RoleName": n, "RoleId": "AROA" + "X" * 17} for n in names],
                "PolicyUsers": [{"UserName": u} for u in users],
                "PolicyGroups": [{"GroupName": g} for g in groups],
            },
        )
    if operation == "GetRole":
        name = kwargs.get("RoleName")
        role: dict[str, Any] = {"RoleName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "Path": "/"}
        if draw(st.integers(0, 9)):
            role["AssumeRolePolicyDocument"] = draw(trust_documents)
        if draw(st.booleans()):
            role["Tags"] = [{"Key": "team", "Value": "support"}]
        return {"Role": role}
    if operation == "ListAttachedRolePolicies":
        arns = draw(st.lists(st.sampled_from([SUPPORT, SUPPORT, ADMIN, CUSTOMER]), max_size=3, unique=True))
        return _page(draw, {"AttachedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in arns]})
    if operation == "ListRolePolicies":
        return _page(draw, {"PolicyNames": draw(st.lists(st.sampled_from(["inline-a", "inline-b"]), max_size=2))})
    if operation == "GetRolePolicy":
        return {
            "RoleName": kwargs.get("RoleName"),
            "PolicyName": kwargs.get("PolicyName"),
            "PolicyDocument": draw(permission_documents),
        }
    if operation == "GetPolicy":
        return {"Policy": {"Arn": kwargs.get("PolicyArn"), "DefaultVersionId": "v3", "PolicyName": "support-extras"}}
    if operation == "GetPolicyVersion":
        return {"PolicyVersion": {"VersionId": "v3", "IsDefaultVersion": True, "Document": draw(permission_documents)}}
    if operation == "ListPolicies":
        policies = draw(st.lists(st.sampled_from([LOOK_ALIKE, CUSTOMER]), max_size=2, unique=True))
        return _page(draw, {"Policies": [{"PolicyName": a.rsplit("/", 1)[-1], "Arn": a} for a in policies]})
    raise AssertionError(f"the reader called {operation}, which is not a read it declares")


# Where each operation's answer must be an object, and the fields whose wrong shape matters.
_LISTS = {
    "ListEntitiesForPolicy": ("PolicyRoles", "PolicyUsers", "PolicyGroups"),
    "ListAttachedRolePolicies": ("AttachedPolicies",),
    "ListRolePolicies": ("PolicyNames",),
    "ListPolicies": ("Policies",),
}
_OBJECTS = {"GetRole": "Role", "GetPolicy": "Policy", "GetPolicyVersion": "PolicyVersion"}


def _bad(draw: st.DrawFn, operation: str, valid: dict[str, Any]) -> Any:
    """The answer with its shape wrong where the reader depends on it."""
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(st.none() | st.lists(junk, max_size=2) | st.text(max_size=5) | st.integers())
    if choice == 1 and operation in _LISTS:
        key = draw(st.sampled_from(_LISTS[operation]))
        wrong = draw(st.sampled_from(["a-string", 42, {"not": "a list"}]) | st.just([None, 7]) | st.just([["x"]]))
        return {**valid, key: wrong}
    if choice == 2 and operation in _LISTS:
        # a page that says there is more but gives no usable marker: the rest would be lost
        return {**valid, "IsTruncated": True, "Marker": draw(st.sampled_from([None, "", 5, ["m"]]))}
    if choice == 3 and operation in ("ListEntitiesForPolicy", "ListAttachedRolePolicies", "ListPolicies"):
        key = _LISTS[operation][0]
        field_name = {"ListAttachedRolePolicies": "PolicyArn", "ListPolicies": "Arn"}.get(operation, "RoleName")
        return {**valid, key: [{field_name: draw(st.sampled_from([7, ["x"], {"a": 1}, b"bytes"]))}]}
    if operation in _OBJECTS:
        return {**valid, _OBJECTS[operation]: draw(st.none() | st.text(max_size=3) | st.lists(junk, max_size=2))}
    if operation == "GetRolePolicy":
        return draw(st.none() | st.text(max_size=4))
    return draw(st.none() | st.integers())


def _noise(draw: st.DrawFn, operation: str, valid: dict[str, Any]) -> dict[str, Any]:
    """Noise where no rule looks: unknown keys, odd tags, a boundary of the wrong shape, a junk ARN."""
    noisy = {**valid, "ResponseMetadata": draw(junk), "Ünexpected": draw(junk)}
    if operation == "GetRole":
        role = dict(noisy["Role"])
        role["Tags"] = draw(junk)
        role["PermissionsBoundary"] = draw(junk)
        role["RoleLastUsed"] = draw(junk)
        if draw(st.booleans()):
            role["Arn"] = draw(junk)
        noisy["Role"] = role
    return noisy


def _drawn(build: Callable[[st.DrawFn], Any]) -> st.SearchStrategy[Any]:
    return st.composite(build)()


@dataclass
class FuzzIam:
    """A fake IAM client: every call draws its answer; what it answered is recorded for the oracle."""

    data: st.DataObject
    calls: list[tuple[str, dict[str, Any], Answer]] = field(default_factory=list)

    def _answer(self, operation: str, kwargs: dict[str, Any]) -> Any:
        kind = self.data.draw(st.sampled_from(["valid"] * 9 + ["noise", "bad", "error"]), label=operation)
        valid = self.data.draw(_drawn(lambda draw: _valid(draw, operation, kwargs)))
        if kind == "error":
            error = self.data.draw(errors)
            self.calls.append((operation, kwargs, Answer("error", error)))
            raise error
        value: Any = valid
        if kind == "noise":
            value = self.data.draw(_drawn(lambda draw: _noise(draw, operation, valid)))
        elif kind == "bad":
            value = self.data.draw(_drawn(lambda draw: _bad(draw, operation, valid)))
        self.calls.append((operation, kwargs, Answer(kind, value)))
        return value

    def __getattr__(self, method: str) -> Callable[..., Any]:
        operation = "".join(part.capitalize() for part in method.split("_"))
        if method.startswith("_") or f"iam:{operation}" not in REQUIRED_ACTIONS:
            raise AttributeError(method)
        return lambda **kwargs: self._answer(operation, kwargs)


def _ok(answer: Answer) -> bool:
    return answer.kind in ("valid", "noise")


def _readable(document: object) -> bool:
    return isinstance(parse_policy(document), PolicyDocument)


class Oracle:
    """What the fake answered, read back: which facts were truly readable."""

    def __init__(self, client: FuzzIam) -> None:
        self.calls = client.calls

    def _of(self, operation: str, **match: object) -> list[Answer]:
        return [a for op, kw, a in self.calls if op == operation and all(kw.get(k) == v for k, v in match.items())]

    def listing_complete(self) -> bool:
        """Every page of the support policy's permissions listing was well formed."""
        pages = self._of("ListEntitiesForPolicy", PolicyArn=SUPPORT, PolicyUsageFilter="PermissionsPolicy")
        return bool(pages) and all(_ok(a) for a in pages) and not pages[-1].value.get("IsTruncated")

    def listed_roles(self) -> set[str]:
        pages = self._of("ListEntitiesForPolicy", PolicyArn=SUPPORT, PolicyUsageFilter="PermissionsPolicy")
        return {r["RoleName"] for a in pages if _ok(a) for r in a.value["PolicyRoles"]}

    def trust_readable(self, role: str) -> bool:
        answers = self._of("GetRole", RoleName=role)
        return (
            len(answers) == 1
            and _ok(answers[0])
            and _readable(answers[0].value["Role"].get("AssumeRolePolicyDocument"))
        )

    def permissions_readable(self, role: str) -> bool:
        attached = self._of("ListAttachedRolePolicies", RoleName=role)
        names = self._of("ListRolePolicies", RoleName=role)
        if not attached or not names or not all(_ok(a) for a in attached + names):
            return False
        if attached[-1].value.get("IsTruncated") or names[-1].value.get("IsTruncated"):
            return False
        for answer in self._of("GetRolePolicy", RoleName=role):
            if not _ok(answer) or not _readable(answer.value.get("PolicyDocument")):
                return False
        arns = {p["PolicyArn"] for a in attached for p in a.value["AttachedPolicies"]}
        if CUSTOMER in arns:
            got = self._of("GetPolicy", PolicyArn=CUSTOMER) + self._of("GetPolicyVersion", PolicyArn=CUSTOMER)
            if (
                len(got) != 2
                or not all(_ok(a) for a in got)
                or not _readable(got[1].value["PolicyVersion"]["Document"])
            ):
                return False
        return True


def test_read_account_survives_any_answer_and_never_passes_on_what_it_could_not_read() -> None:
    outcomes: dict[str, int] = {}
    cases = [0]

    @settings(max_examples=FUZZ_CASES["read_account"], **SETTINGS)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        cases[0] += 1
        client = FuzzIam(data)
        read = read_account(client, ACCOUNT, "aws", page_size=2)  # must not raise
        oracle = Oracle(client)
        assert [op for op, _, _ in client.calls] == list(read.calls)
        assert all(f"iam:{op}" in REQUIRED_ACTIONS and op.startswith(("List", "Get")) for op in read.calls)
        failed = [a for _, _, a in client.calls if not _ok(a)]
        assert len(read.failures) >= len(failed)  # every failed or malformed call is recorded...
        for failure in read.failures:  # ...naming the call
            assert failure.operation in {op for op, _, _ in client.calls}
            assert failure.reason.startswith(f"{failure.operation} on ")

        exists = evaluate_exists(read.account, Config())
        outcomes[f"exists {exists.status.value}"] = outcomes.get(f"exists {exists.status.value}", 0) + 1
        if exists.status is Status.PASS:
            assert set(exists.evidence_dict()["support_roles"]) <= oracle.listed_roles()
        if exists.status is Status.FAIL:
            assert oracle.listing_complete(), exists.reason
        for role in read.account.roles:
            verdicts = evaluate_role(role, Config())
            for rule_id, verdict in verdicts.items():
                if verdict is None:
                    continue
                assert verdict.reason
                key = f"{rule_id} {verdict.status.value}"
                outcomes[key] = outcomes.get(key, 0) + 1
                if verdict.status is not Status.PASS:
                    continue
                assert role.name in oracle.listed_roles()
                if rule_id in (TRUST, MFA):
                    assert oracle.trust_readable(role.name), (rule_id, role.name, client.calls)
                if rule_id == LEAST_PRIVILEGE:
                    assert oracle.permissions_readable(role.name), (rule_id, role.name, client.calls)

    run()
    assert cases[0] >= FUZZ_CASES["read_account"]
    # the fuzz reaches every outcome, so the PASS checks above are not vacuous
    for expected in (f"exists {s}" for s in ("PASS", "FAIL", "UNKNOWN")):
        assert outcomes.get(expected, 0) > 0, outcomes
    for rule_id in (TRUST, LEAST_PRIVILEGE, MFA):
        assert outcomes.get(f"{rule_id} PASS", 0) > 0, outcomes
        assert outcomes.get(f"{rule_id} UNKNOWN", 0) > 0, outcomes
    print(f"\nfuzz read_account: {cases[0]} accounts, outcomes {sorted(outcomes.items())}")


@st.composite
def api_roles(draw: st.DrawFn) -> dict[str, Any]:
    role: dict[str, Any] = {}
    for key in draw(st.sets(st.sampled_from(["RoleName", "Arn", "AssumeRolePolicyDocument", "PermissionsBoundary"]))):
        role[key] = draw(junk | trust_documents)
    return role


def test_role_from_api_survives_any_leaf_and_never_passes_on_an_unreadable_document() -> None:
    cases = [0]

    @settings(max_examples=FUZZ_CASES["role_from_api"], **SETTINGS)
    @given(
        api_roles(),
        st.lists(st.dictionaries(st.sampled_from(["PolicyArn", "PolicyName"]), junk | st.just(SUPPORT)), max_size=3),
        st.dictionaries(st.text(max_size=5), permission_documents, max_size=2),
        st.dictionaries(st.sampled_from([CUSTOMER, ADMIN]), st.builds(parse_policy, permission_documents), max_size=2),
    )
    def run(api_role: dict[str, Any], attached: list[dict[str, Any]], inline: dict[str, Any], docs: Any) -> None:
        cases[0] += 1
        role = role_from_api(api_role, [*attached, {"PolicyArn": SUPPORT}], inline, docs)
        verdicts = evaluate_role(role, Config())
        trust = verdicts[TRUST]
        assert trust is not None and verdicts[MFA] is not None and verdicts[LEAST_PRIVILEGE] is not None
        if not _readable(api_role.get("AssumeRolePolicyDocument")):
            assert trust.status is Status.UNKNOWN and verdicts[MFA].status is Status.UNKNOWN  # type: ignore[union-attr]
            assert "unreadable-trust-policy" in trust.codes
        if any(not _readable(doc) for doc in inline.values()):
            assert verdicts[LEAST_PRIVILEGE].status is not Status.PASS  # type: ignore[union-attr]

    run()
    assert cases[0] >= FUZZ_CASES["role_from_api"]
    print(f"\nfuzz role_from_api: {cases[0]} roles")


# --- regressions: what the fuzz found in iam_reader (each raised or passed on an unread fact) ----------


class Scripted:
    """A client whose answers are given per operation (the last one repeats)."""

    def __init__(self, **answers: list[Any]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __getattr__(self, method: str) -> Callable[..., Any]:
        operation = "".join(part.capitalize() for part in method.split("_"))
        if method.startswith("_"):
            raise AttributeError(method)

        def answer(**kwargs: Any) -> Any:
            self.calls.append(operation)
            queue = self.answers.get(operation) or [{}]
            value = queue.pop(0) if len(queue) > 1 else queue[0]
            if isinstance(value, Exception):
                raise value
            return value

        return answer


ONE_ROLE = {"PolicyRoles": [{"RoleName": "aws-support"}], "IsTruncated": False}
GOOD_ROLE = {"Role": {"RoleName": "aws-support", "AssumeRolePolicyDocument": GOOD_TRUST}}
ONLY_SUPPORT = {"AttachedPolicies": [{"PolicyArn": SUPPORT}]}


def _verdicts(client: Scripted) -> dict[str, tuple[str, frozenset[str]]]:
    read = read_account(client, ACCOUNT, "aws")
    result = {EXISTS_RULE: _short(evaluate_exists(read.account, Config()))}
    for role in read.account.roles:
        for rule_id, verdict in evaluate_role(role, Config()).items():
            if verdict is not None:
                result[rule_id] = _short(verdict)
    return result


EXISTS_RULE = "support-role-exists"


def _short(verdict: Any) -> tuple[str, frozenset[str]]:
    return verdict.status.value, verdict.codes


def test_a_listing_that_is_not_a_list_is_unknown_not_a_crash_nor_a_fail() -> None:
    client = Scripted(ListEntitiesForPolicy=[{"PolicyRoles": 42}])
    read = read_account(client, ACCOUNT, "aws")
    assert [f.code for f in read.failures] == ["MalformedResponse"]
    assert read.account.unreadable == (
        "ListEntitiesForPolicy on arn:aws:iam::aws:policy/AWSSupportAccess failed with MalformedResponse "
        "(the answer does not have the IAM API's shape): PolicyRoles is not a list of objects",
    )
    assert _verdicts(Scripted(ListEntitiesForPolicy=[{"PolicyRoles": 42}])) == {
        EXISTS_RULE: ("UNKNOWN", frozenset({"unreadable-account"}))
    }


def test_a_truncated_listing_without_a_marker_is_unknown_not_a_fail() -> None:
    # Before the fix the reader stopped at the first page and the exists rule FAILED on half a listing.
    client = Scripted(ListEntitiesForPolicy=[{"PolicyUsers": [{"UserName": "bob"}], "IsTruncated": True}])
    assert _verdicts(client) == {EXISTS_RULE: ("UNKNOWN", frozenset({"unreadable-account"}))}


def test_a_marker_that_comes_back_twice_is_a_failure_not_the_end_of_the_list() -> None:
    page = {"PolicyNames": [], "IsTruncated": True, "Marker": "m1"}
    client = Scripted(ListEntitiesForPolicy=[ONE_ROLE], GetRole=[GOOD_ROLE], ListAttachedRolePolicies=[ONLY_SUPPORT],
                      ListRolePolicies=[page])  # fmt: skip
    verdicts = _verdicts(client)
    assert verdicts[LEAST_PRIVILEGE] == ("UNKNOWN", frozenset({"unreadable-inline-policies"}))
    assert verdicts[TRUST] == ("PASS", frozenset()) and verdicts[MFA] == ("PASS", frozenset())
    assert client.calls.count("ListRolePolicies") == 2


@pytest.mark.parametrize(
    ("operation", "answer", "rule", "code"),
    [
        ("GetRole", {}, TRUST, "unreadable-trust-policy"),
        ("GetRole", None, MFA, "unreadable-trust-policy"),
        ("ListAttachedRolePolicies", {"AttachedPolicies": [7]}, LEAST_PRIVILEGE, "unresolved-policy"),
        ("ListAttachedRolePolicies", {"AttachedPolicies": [{"PolicyArn": 7}]}, LEAST_PRIVILEGE, "unresolved-policy"),
        ("ListRolePolicies", {"PolicyNames": 5}, LEAST_PRIVILEGE, "unreadable-inline-policies"),
        ("ListRolePolicies", {"PolicyNames": "abc"}, LEAST_PRIVILEGE, "unreadable-inline-policies"),
        ("GetRolePolicy", "not an object", LEAST_PRIVILEGE, "policy-not-visible"),
        ("GetPolicy", {"Policy": None}, LEAST_PRIVILEGE, "policy-not-visible"),
        ("GetPolicyVersion", {"PolicyVersion": []}, LEAST_PRIVILEGE, "policy-not-visible"),
    ],
)
def test_a_malformed_answer_makes_what_it_was_for_unknown(operation: str, answer: Any, rule: str, code: str) -> None:
    answers: dict[str, list[Any]] = {
        "ListEntitiesForPolicy": [ONE_ROLE],
        "GetRole": [GOOD_ROLE],
        "ListAttachedRolePolicies": [{"AttachedPolicies": [{"PolicyArn": SUPPORT}, {"PolicyArn": CUSTOMER}]}],
        "ListRolePolicies": [{"PolicyNames": ["inline-a"]}],
        "GetRolePolicy": [{"PolicyDocument": SUPPORT_ONLY}],
        "GetPolicy": [{"Policy": {"DefaultVersionId": "v1"}}],
        "GetPolicyVersion": [{"PolicyVersion": {"Document": SUPPORT_ONLY}}],
    }
    everything_passes = _verdicts(Scripted(**{k: list(v) for k, v in answers.items()}))
    assert set(everything_passes.values()) == {("PASS", frozenset())}
    answers[operation] = [answer]
    verdicts = _verdicts(Scripted(**answers))
    assert verdicts[rule] == ("UNKNOWN", frozenset({code}))
    assert verdicts[EXISTS_RULE] == ("PASS", frozenset())


def test_odd_tags_are_left_out_of_the_finding_not_a_crash() -> None:
    role = {"Role": {**GOOD_ROLE["Role"], "Tags": 5}}
    client = Scripted(
        ListEntitiesForPolicy=[ONE_ROLE], GetRole=[role], ListAttachedRolePolicies=[ONLY_SUPPORT], ListRolePolicies=[{}]
    )
    read = read_account(client, ACCOUNT, "aws")
    assert read.roles["aws-support"].tags == ()
    assert read.failures == ()

"""Policy-document normalisation: every shape a document arrives in reads as the same facts."""

from __future__ import annotations

import copy
import json
import urllib.parse

import pytest

from support_role import (
    Condition,
    PolicyDocument,
    Principal,
    PrincipalKind,
    Statement,
    Unknown,
    action_matches,
    parse_policy,
    parse_terraform_statements,
)
from support_role._policy import statement_allows_action
from support_role._values import is_unresolved_reference, leaf_text

ALICE = "arn:aws:iam::123456789012:user/alice"
MFA_CONDITION = Condition("Bool", "bool", None, False, "aws:multifactorauthpresent", ("true",))
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ],
}
EXPECTED = PolicyDocument(
    (
        Statement(
            effect="Allow",
            principals=(Principal(PrincipalKind.AWS, ALICE),),
            actions=("sts:AssumeRole",),
            conditions=(MFA_CONDITION,),
        ),
    )
)


def only_statement(document: object) -> Statement:
    assert isinstance(document, PolicyDocument), document
    assert len(document.statements) == 1
    return document.statements[0]


# --- JSON documents -------------------------------------------------------------------------


def test_a_mapping_reads_as_the_expected_facts() -> None:
    assert parse_policy(TRUST) == EXPECTED


def test_a_json_string_reads_like_the_mapping() -> None:
    assert parse_policy(json.dumps(TRUST)) == EXPECTED
    assert parse_policy("  \n" + json.dumps(TRUST, indent=2) + "\n") == EXPECTED


def test_a_url_encoded_string_as_the_raw_iam_api_returns_it_reads_like_the_mapping() -> None:
    encoded = urllib.parse.quote(json.dumps(TRUST))
    assert encoded.startswith("%7B")
    assert parse_policy(encoded) == EXPECTED
    assert parse_policy(encoded.replace("%7B", "%7b")) == EXPECTED


def test_a_lone_statement_object_reads_as_a_one_element_list() -> None:
    lone = {"Version": "2012-10-17", "Statement": TRUST["Statement"][0]}  # type: ignore[index]
    assert parse_policy(lone) == EXPECTED


def test_a_document_wrapped_in_a_one_element_list_as_checkov_passes_it_is_unwrapped() -> None:
    assert parse_policy([TRUST]) == EXPECTED


def test_parsing_never_modifies_the_callers_document() -> None:
    original = copy.deepcopy(TRUST)
    parse_policy(TRUST)
    assert original == TRUST


@pytest.mark.parametrize(
    "principal",
    [{"AWS": ALICE}, {"AWS": [ALICE]}, {"aws": ALICE}, [{"AWS": [ALICE]}]],
    ids=["lone-string", "list", "lower-case-kind", "list-wrapped"],
)
def test_a_principal_as_a_lone_string_or_a_list_reads_the_same(principal: object) -> None:
    statement = only_statement(
        parse_policy({"Statement": {"Effect": "Allow", "Principal": principal, "Action": "x:y"}})
    )
    assert statement.principals == (Principal(PrincipalKind.AWS, ALICE),)


def test_every_element_of_a_principal_list_is_kept_with_its_kind() -> None:
    statement = only_statement(
        parse_policy(
            {
                "Statement": {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": [ALICE, "123456789012"],
                        "Service": "ec2.amazonaws.com",
                        "Federated": ["arn:aws:iam::123456789012:saml-provider/Corp"],
                    },
                    "Action": "sts:AssumeRole",
                }
            }
        )
    )
    assert statement.principals == (
        Principal(PrincipalKind.AWS, ALICE),
        Principal(PrincipalKind.AWS, "123456789012"),
        Principal(PrincipalKind.SERVICE, "ec2.amazonaws.com"),
        Principal(PrincipalKind.FEDERATED, "arn:aws:iam::123456789012:saml-provider/Corp"),
    )


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}, " * "])
def test_star_and_aws_star_are_the_same_wildcard_principal(principal: object) -> None:
    statement = only_statement(
        parse_policy({"Statement": {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}})
    )
    assert statement.principals == (Principal(PrincipalKind.AWS, "*"),)


def test_not_principal_is_kept_apart_from_principal() -> None:
    statement = only_statement(
        parse_policy({"Statement": {"Effect": "Allow", "NotPrincipal": {"AWS": ALICE}, "Action": "sts:AssumeRole"}})
    )
    assert statement.principals is None
    assert statement.not_principals == (Principal(PrincipalKind.AWS, ALICE),)


@pytest.mark.parametrize("action", ["sts:AssumeRole", ["sts:AssumeRole"], [["sts:AssumeRole"]]])
def test_an_action_as_a_lone_string_or_a_list_reads_the_same(action: object) -> None:
    statement = only_statement(parse_policy({"Statement": {"Effect": "Allow", "Principal": "*", "Action": action}}))
    assert statement.actions == ("sts:AssumeRole",)
    assert statement.not_actions is None


def test_not_action_is_kept_apart_from_action() -> None:
    statement = only_statement(
        parse_policy({"Statement": {"Effect": "Allow", "Principal": "*", "NotAction": ["iam:*", "sts:TagSession"]}})
    )
    assert statement.actions is None
    assert statement.not_actions == ("iam:*", "sts:TagSession")


def test_effect_is_read_case_insensitively() -> None:
    statement = only_statement(parse_policy({"Statement": {"Effect": "allow", "Principal": "*", "Action": "a:b"}}))
    assert statement.effect == "Allow"


def test_condition_operators_are_split_into_qualifier_base_and_if_exists() -> None:
    statement = only_statement(
        parse_policy(
            {
                "Statement": {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "ForAnyValue:StringLikeIfExists": {"Token:Sub": ["a", "b"]},
                        "Bool": {"aws:MultiFactorAuthPresent": True},
                        "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                    },
                }
            }
        )
    )
    assert statement.conditions == (
        Condition("ForAnyValue:StringLikeIfExists", "stringlike", "foranyvalue", True, "token:sub", ("a", "b")),
        Condition("Bool", "bool", None, False, "aws:multifactorauthpresent", ("true",)),
        Condition("NumericLessThan", "numericlessthan", None, False, "aws:multifactorauthage", ("3600",)),
    )


# --- Account IDs and unique IDs are kept as written (their meaning is _arn's job) -------------


@pytest.mark.parametrize("value", ["123456789012", "AIDAJQABLZS4A3QDU576Q", "AROADBQP57FF2AEXAMPLE"])
def test_bare_account_ids_and_unique_ids_are_kept_as_aws_principals(value: str) -> None:
    statement = only_statement(
        parse_policy({"Statement": {"Effect": "Allow", "Principal": {"AWS": value}, "Action": "sts:AssumeRole"}})
    )
    assert statement.principals == (Principal(PrincipalKind.AWS, value),)


# --- Malformed and unresolved documents become Unknown with a reason --------------------------


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        (42, "not a JSON object"),
        (None, "not a JSON object"),
        ({"Version": "2012-10-17"}, "no Statement"),
        ({"Statement": "text"}, "neither an object nor a list"),
        ({"Statement": [1]}, "not a JSON object"),
        ({"Statement": {"Effect": "Maybe", "Action": "a:b"}}, "not Allow or Deny"),
        ({"Statement": {"Action": "a:b"}}, "not Allow or Deny"),
        ({"Statement": {"Effect": "Allow", "Principal": "alice", "Action": "a:b"}}, 'only "*" may stand alone'),
        ({"Statement": {"Effect": "Allow", "Principal": {"Martian": "x"}, "Action": "a:b"}}, "unknown kind"),
        ({"Statement": {"Effect": "Allow", "Principal": "*", "Action": {"k": "v"}}}, "object where a string"),
        ({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "a:b", "Condition": "x"}}, "Condition"),
    ],
)
def test_a_malformed_document_is_unknown_with_the_reason(raw: object, reason_part: str) -> None:
    result = parse_policy(raw)
    assert isinstance(result, Unknown)
    assert reason_part in result.reason


@pytest.mark.parametrize(
    "reference",
    ["data.aws_iam_policy_document.trust.json", "${data.aws_iam_policy_document.trust.json}", "var.trust", "local.x"],
)
def test_a_policy_that_is_an_unresolved_terraform_reference_is_unknown(reference: str) -> None:
    result = parse_policy(reference)
    assert isinstance(result, Unknown)
    assert "not resolved" in result.reason and reference in result.reason


def test_an_unresolved_action_makes_the_whole_document_unknown() -> None:
    for action in ({"Ref": "ActionParameter"}, "var.action", {"Fn::GetAtt": ["X", "Y"]}):
        result = parse_policy({"Statement": {"Effect": "Allow", "Principal": "*", "Action": action}})
        assert isinstance(result, Unknown), action
        assert "could not be resolved" in result.reason


@pytest.mark.parametrize(
    "principal",
    [
        {"Fn::GetAtt": ["AliceUser", "Arn"]},
        {"Ref": "TrustedUserArn"},
        "aws_iam_user.alice.arn",
        "${aws_iam_user.alice.arn}",
        "${AliceUser.Arn}",
    ],
)
def test_an_unresolved_principal_is_kept_but_marked_unresolved(principal: object) -> None:
    statement = only_statement(
        parse_policy({"Statement": {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}})
    )
    assert statement.principals is not None
    assert [p.resolved for p in statement.principals] == [False]


# --- CloudFormation intrinsics -----------------------------------------------------------------

SUB = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/alice"}
JOIN = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":user/alice"]]}
SUB_WITH_VARIABLES = {"Fn::Sub": ["arn:${AWS::Partition}:iam::${AWS::AccountId}:user/alice", {}]}


@pytest.mark.parametrize("value", [SUB, JOIN, SUB_WITH_VARIABLES], ids=["Fn::Sub", "Fn::Join (CDK)", "Fn::Sub list"])
def test_cloudformation_intrinsics_building_an_arn_keep_their_pseudo_parameters_as_tokens(value: object) -> None:
    assert leaf_text(value) == "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/alice"
    statement = only_statement(
        parse_policy({"Statement": {"Effect": "Allow", "Principal": {"AWS": [value]}, "Action": "sts:AssumeRole"}})
    )
    assert statement.principals == (
        Principal(PrincipalKind.AWS, "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/alice"),
    )


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "SomeParameter"},
        {"Fn::GetAtt": ["Role", "Arn"]},
        {"Fn::If": ["Cond", "a", "b"]},
        {"Fn::Join": ["", ["arn:", {"Ref": "SomeParameter"}]]},
        {"Fn::Join": "not a list"},
        {"Fn::Sub": 3},
        {"a": 1, "b": 2},
    ],
)
def test_intrinsics_that_are_not_evaluated_have_no_text(value: object) -> None:
    assert leaf_text(value) is None


def test_cloudformation_intrinsics_in_actions_and_conditions_are_evaluated() -> None:
    statement = only_statement(
        parse_policy(
            {
                "Statement": {
                    "Effect": {"Fn::Sub": "Allow"},
                    "Principal": "*",
                    "Action": [{"Fn::Join": [":", ["sts", "AssumeRole"]]}],
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": {"Fn::Sub": "true"}}},
                }
            }
        )
    )
    assert statement.effect == "Allow"
    assert statement.actions == ("sts:AssumeRole",)
    assert statement.conditions == (MFA_CONDITION,)


# --- Terraform aws_iam_policy_document statement blocks ---------------------------------------

PLAIN_BLOCKS = [
    {
        "effect": "Allow",
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "AWS", "identifiers": [ALICE]}],
        "condition": [{"test": "Bool", "variable": "aws:MultiFactorAuthPresent", "values": ["true"]}],
    }
]
# What Checkov's Terraform parser hands a check: every attribute wrapped in a list, list
# attributes twice.
CHECKOV_BLOCKS = [
    {
        "effect": ["Allow"],
        "actions": [["sts:AssumeRole"]],
        "principals": [{"type": ["AWS"], "identifiers": [[ALICE]]}],
        "condition": [{"test": ["Bool"], "variable": ["aws:MultiFactorAuthPresent"], "values": [["true"]]}],
    }
]


@pytest.mark.parametrize("blocks", [PLAIN_BLOCKS, CHECKOV_BLOCKS, [CHECKOV_BLOCKS]], ids=["plain", "checkov", "twice"])
def test_terraform_statement_blocks_read_like_the_json_document(blocks: object) -> None:
    assert parse_terraform_statements(blocks) == EXPECTED


def test_a_lone_terraform_statement_block_reads_like_a_list_of_one() -> None:
    assert parse_terraform_statements(PLAIN_BLOCKS[0]) == EXPECTED


def test_terraform_effect_defaults_to_allow_and_not_blocks_are_kept() -> None:
    statement = only_statement(
        parse_terraform_statements(
            [
                {
                    "not_actions": [["iam:*"]],
                    "not_principals": [{"type": ["AWS"], "identifiers": [[ALICE]]}],
                    "resources": [["*"]],
                }
            ]
        )
    )
    assert statement.effect == "Allow"
    assert statement.not_actions == ("iam:*",)
    assert statement.not_principals == (Principal(PrincipalKind.AWS, ALICE),)
    assert statement.principals is None and statement.actions is None
    assert statement.resources == ("*",)


def test_terraform_principal_type_star_is_the_wildcard_principal() -> None:
    statement = only_statement(
        parse_terraform_statements(
            [{"actions": ["sts:AssumeRole"], "principals": [{"type": "*", "identifiers": ["*"]}]}]
        )
    )
    assert statement.principals == (Principal(PrincipalKind.AWS, "*"),)


def test_terraform_statement_with_empty_principals_has_none() -> None:
    statement = only_statement(parse_terraform_statements([{"actions": [["sts:AssumeRole"]], "principals": [[]]}]))
    assert statement.principals is None


def test_terraform_references_in_statement_blocks() -> None:
    unresolved = only_statement(
        parse_terraform_statements(
            [
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [{"type": "AWS", "identifiers": ["aws_iam_user.alice.arn"]}],
                }
            ]
        )
    )
    assert unresolved.principals == (Principal(PrincipalKind.AWS, "aws_iam_user.alice.arn", resolved=False),)
    interpolated = only_statement(
        parse_terraform_statements(
            [
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [
                        {
                            "type": "AWS",
                            "identifiers": ["arn:${data.aws_partition.current.partition}:iam::123456789012:user/a"],
                        }
                    ],
                }
            ]
        )
    )
    assert interpolated.principals is not None and interpolated.principals[0].resolved
    for broken in (
        [{"actions": ["var.actions"]}],
        [{"actions": ["sts:AssumeRole"], "condition": [{"test": "var.test", "variable": "k", "values": ["v"]}]}],
        [{"actions": ["sts:AssumeRole"], "principals": [{"type": "Martian", "identifiers": ["x"]}]}],
        [{"effect": "Perhaps"}],
        ["not a block"],
        42,
    ):
        assert isinstance(parse_terraform_statements(broken), Unknown), broken


@pytest.mark.parametrize(
    ("text", "unresolved"),
    [
        ("var.x", True),
        ("local.partition", True),
        ("data.aws_iam_policy_document.x.json", True),
        ("module.iam.role_arn", True),
        ("aws_iam_role.support.arn", True),
        ("each.value", True),
        ("${anything}", True),
        ("ec2.amazonaws.com", False),
        ("dataexchange.amazonaws.com", False),
        ("accounts.google.com", False),
        ("arn:aws:iam::123456789012:user/alice", False),
        ("arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSSupportAccess", False),
    ],
)
def test_which_strings_are_unresolved_references(text: str, unresolved: bool) -> None:
    assert is_unresolved_reference(text) is unresolved


# --- Action matching as IAM does it -----------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        ("sts:AssumeRole", "sts:AssumeRole", True),
        ("STS:assumerole", "sts:AssumeRole", True),
        ("sts:ASSUMEROLE", "sts:assumerole", True),
        ("sts:Assume*", "sts:AssumeRoleWithSAML", True),
        ("sts:*", "sts:AssumeRoleWithWebIdentity", True),
        ("*", "sts:AssumeRole", True),
        ("sts:AssumeRole?ithSAML", "sts:AssumeRoleWithSAML", True),
        ("sts:AssumeRole?ithSAML", "sts:AssumeRoleWithSAML2", False),
        ("sts:AssumeRole?", "sts:AssumeRole", False),
        ("sts:*Role", "sts:AssumeRole", True),
        ("sts:*Role", "sts:AssumeRoleWithSAML", False),
        ("sts:AssumeRole", "sts:AssumeRoleWithSAML", False),  # the substring trap
        ("sts:AssumeRoleWithSAML", "sts:AssumeRole", False),
        ("sts:AssumeRole ", "sts:AssumeRole", True),
        ("sts:Assume[R]ole", "sts:AssumeRole", False),  # brackets are literal, not a character class
        ("sts:Assume[R]ole", "sts:Assume[R]ole", True),
        ("sts:Assume.ole", "sts:AssumeRole", False),  # regex characters are literal
        ("sts:Assume(Role)", "sts:AssumeRole", False),
        ("s?s:*", "sts:AssumeRole", True),
        ("iam:*", "sts:AssumeRole", False),
        ("", "sts:AssumeRole", False),
    ],
)
def test_action_matching_follows_iam(pattern: str, action: str, matches: bool) -> None:
    assert action_matches(pattern, action) is matches


def test_not_action_covers_every_action_it_does_not_name() -> None:
    statement = Statement("Allow", not_actions=("sts:TagSession", "sts:AssumeRoleWith*"))
    assert statement_allows_action(statement, "sts:AssumeRole")
    assert not statement_allows_action(statement, "sts:AssumeRoleWithSAML")
    assert not statement_allows_action(statement, "sts:TagSession")
    assert not statement_allows_action(Statement("Allow"), "sts:AssumeRole")  # neither element: nothing

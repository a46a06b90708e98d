"""The renderer's ``references`` style writes this account's principals by reference, never in a
way Terraform refuses (a role naming itself or a dependency cycle), and says where each role is."""

from __future__ import annotations

import re

from support_role.scenarios import load_corpus
from tests.renderers.terraform import REFERENCES, render_scenario

CORPUS = {s.name: s for s in load_corpus()}


def test_own_account_principals_are_written_by_reference() -> None:
    text = render_scenario(CORPUS["good-single-user-mfa"], REFERENCES).files["main.tf"]
    assert 'identifiers = [aws_iam_user.users["alice"].arn]' in text
    assert "count = var.create_support_roles ? 1 : 0" in text
    assert "role       = aws_iam_role.aws_support[0].name" in text
    root = render_scenario(CORPUS["account-root-arn"], REFERENCES).files["main.tf"]
    assert "${data.aws_caller_identity.current.account_id}:root" in root
    saml = render_scenario(CORPUS["saml-provider-federation"], REFERENCES).files["main.tf"]
    assert 'resource "aws_iam_saml_provider" "saml_corpidp"' in saml
    assert "identifiers = [aws_iam_saml_provider.saml_corpidp.arn]" in saml


def test_trusted_account_lists_keep_this_account_s_principals_literal() -> None:
    # by reference they would be UNKNOWN unresolved-account, as the contract says (docs/DECISIONS.md)
    scenario = CORPUS["cross-account-user-not-in-trusted-list"]
    assert "support_role_trusted_account_ids" in scenario.config
    text = render_scenario(scenario, REFERENCES).files["main.tf"]
    assert f'"arn:aws:iam::{scenario.account_id}:user/alice"' in text
    assert "aws_iam_user.users[" not in text.split('resource "aws_iam_user" "users"')[0]
    assert ".arn]" not in text


def test_no_role_names_itself_or_a_later_role() -> None:
    for scenario in CORPUS.values():
        rendered = render_scenario(scenario, REFERENCES)
        text = rendered.files["main.tf"]
        order = [r.name for r in scenario.roles]
        for block in re.findall(r'data "aws_iam_policy_document" "trust_([a-z0-9_]+)" \{(.*?)\n\}\n', text, re.S):
            named = set(re.findall(r"aws_iam_role\.([a-z0-9_]+)(?:\[0\])?\.arn", block[1]))
            assert block[0] not in named, scenario.name
        assert set(rendered.role_addresses) == set(order)

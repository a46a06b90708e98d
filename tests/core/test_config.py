"""The configuration: strict defaults, one meaning for both scanners, clear errors naming the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support_role import (
    CONFIG_ENV,
    INLINE_CONFIG_ENV,
    Config,
    ConfigError,
    config_from_environment,
    config_from_mapping,
    environment_source,
    load_config_file,
)


def test_the_defaults_are_the_strict_reading_of_the_contract() -> None:
    config = config_from_mapping({})
    assert config == Config()
    assert config.allow_account_roots is False
    assert config.trusted_account_ids is None  # any account, but account roots still fail
    assert config.allowed_policies == frozenset()
    assert config.strict_unknown is False
    assert config.account_baseline_paths == ()


def test_every_key_is_read() -> None:
    config = config_from_mapping(
        {
            "support_role_allow_account_roots": True,
            "support_role_trusted_account_ids": ["111122223333", "444455556666"],
            "support_role_allowed_policies": ["AdministratorAccess", " arn:aws:iam::aws:policy/ReadOnlyAccess "],
            "support_role_strict_unknown": True,
            "support_role_account_baseline_paths": ["accounts/*"],
        }
    )
    assert config == Config(
        allow_account_roots=True,
        trusted_account_ids=frozenset({"111122223333", "444455556666"}),
        allowed_policies=frozenset({"AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        strict_unknown=True,
        account_baseline_paths=("accounts/*",),
    )


def test_an_empty_trusted_list_trusts_no_account() -> None:
    assert config_from_mapping({"support_role_trusted_account_ids": []}).trusted_account_ids == frozenset()


def test_allowed_policies_match_by_name_or_by_arn() -> None:
    by_name = Config(allowed_policies=frozenset({"AdministratorAccess"}))
    by_arn = Config(allowed_policies=frozenset({"arn:aws:iam::aws:policy/AdministratorAccess"}))
    assert by_name.policy_allowed("arn:aws-cn:iam::aws:policy/AdministratorAccess")
    assert by_arn.policy_allowed("arn:aws:iam::aws:policy/AdministratorAccess")
    assert not by_arn.policy_allowed("arn:aws-cn:iam::aws:policy/AdministratorAccess")
    assert not by_name.policy_allowed("arn:aws:iam::aws:policy/ReadOnlyAccess")


def test_keys_of_other_tools_are_left_alone() -> None:
    assert config_from_mapping({"max_unused_access_keys_days": 45, "shodan_api_key": None}) == Config()


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"support_role_allow_account_root": True}, "support_role_allow_account_root"),  # typo
        ({"support_role_mfa": True}, "support_role_mfa"),
        ({"support_role_allow_account_roots": "yes"}, "support_role_allow_account_roots"),
        ({"support_role_allow_account_roots": 1}, "support_role_allow_account_roots"),
        ({"support_role_strict_unknown": "true"}, "support_role_strict_unknown"),
        ({"support_role_allowed_policies": "AdministratorAccess"}, "support_role_allowed_policies"),
        ({"support_role_allowed_policies": [""]}, "support_role_allowed_policies"),
        ({"support_role_allowed_policies": [1]}, "support_role_allowed_policies"),
        ({"support_role_account_baseline_paths": "."}, "support_role_account_baseline_paths"),
        ({"support_role_trusted_account_ids": "111122223333"}, "support_role_trusted_account_ids"),
        ({"support_role_trusted_account_ids": ["1111-2222-3333"]}, "support_role_trusted_account_ids"),
        ({"support_role_trusted_account_ids": ["11112222333"]}, "support_role_trusted_account_ids"),
        ({"support_role_trusted_account_ids": [1111222233334]}, "support_role_trusted_account_ids"),
        ({"support_role_trusted_account_ids": [True]}, "support_role_trusted_account_ids"),
        ({"support_role_trusted_account_ids": [None]}, "support_role_trusted_account_ids"),
    ],
)
def test_a_bad_value_is_refused_with_a_message_naming_the_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        config_from_mapping(data)
    assert repr(key) in str(error.value)


def test_an_unknown_key_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="support_role_allow_account_roots"):
        config_from_mapping({"support_role_trusted_accounts": ["111122223333"]})


def test_account_ids_written_as_numbers_are_accepted_when_they_have_twelve_digits() -> None:
    config = config_from_mapping({"support_role_trusted_account_ids": [123456789012, "012345678901"]})
    assert config.trusted_account_ids == frozenset({"123456789012", "012345678901"})


@pytest.mark.parametrize("number", [12345, 12345678901, 1402433619])
def test_a_short_number_is_refused_not_zero_padded(number: int) -> None:
    # 1402433619 is what PyYAML makes of the unquoted account ID 012345670123 (octal): padding it
    # would trust account 001402433619 instead.
    with pytest.raises(ConfigError, match=r"support_role_trusted_account_ids.*quote account IDs"):
        config_from_mapping({"support_role_trusted_account_ids": [number]})


def test_an_unquoted_leading_zero_account_id_in_yaml_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "config.yaml"
    file.write_text("support_role_trusted_account_ids: [012345670123]\n")
    with pytest.raises(ConfigError, match="support_role_trusted_account_ids"):
        load_config_file(file)
    file.write_text("support_role_trusted_account_ids: ['012345670123', 012345678901]\n")
    assert load_config_file(file).trusted_account_ids == frozenset({"012345670123", "012345678901"})


YAML_PROWLER = """\
aws:
  max_unused_access_keys_days: 45
  support_role_allow_account_roots: true
  support_role_trusted_account_ids:
    - "111122223333"
    - 444455556666
  support_role_allowed_policies: [AdministratorAccess]
azure:
  something: 1
"""


def test_a_prowler_config_file_with_our_keys_under_aws(tmp_path: Path) -> None:
    file = tmp_path / "config.yaml"
    file.write_text(YAML_PROWLER)
    assert load_config_file(file) == Config(
        allow_account_roots=True,
        trusted_account_ids=frozenset({"111122223333", "444455556666"}),
        allowed_policies=frozenset({"AdministratorAccess"}),
    )


def test_a_yaml_file_with_only_our_keys_at_the_top(tmp_path: Path) -> None:
    file = tmp_path / "support-role.yml"
    file.write_text("support_role_strict_unknown: true\n")
    assert load_config_file(file) == Config(strict_unknown=True)


def test_a_json_file_at_the_top_or_under_aws(tmp_path: Path) -> None:
    top = tmp_path / "top.json"
    top.write_text(json.dumps({"support_role_allow_account_roots": True}))
    nested = tmp_path / "nested.json"
    nested.write_text(json.dumps({"aws": {"support_role_allowed_policies": ["ReadOnlyAccess"]}}))
    assert load_config_file(top) == Config(allow_account_roots=True)
    assert load_config_file(nested) == Config(allowed_policies=frozenset({"ReadOnlyAccess"}))


def test_an_empty_yaml_file_gives_the_defaults(tmp_path: Path) -> None:
    file = tmp_path / "empty.yaml"
    file.write_text("")
    assert load_config_file(file) == Config()


def test_a_bad_value_in_a_file_names_the_key(tmp_path: Path) -> None:
    file = tmp_path / "config.yaml"
    file.write_text("aws:\n  support_role_trusted_account_ids: [12345]\n")
    with pytest.raises(ConfigError, match="support_role_trusted_account_ids"):
        load_config_file(file)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken.json", "{not json", "not valid JSON"),
        ("broken.yaml", "a: [unclosed", "not valid YAML"),
        ("list.yaml", "- a\n- b\n", "must hold a mapping"),
    ],
)
def test_an_unreadable_file_is_a_clear_error(tmp_path: Path, name: str, text: str, message: str) -> None:
    file = tmp_path / name
    file.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config_file(file)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration file"):
        load_config_file(tmp_path / "absent.yaml")


def test_the_environment_names_the_file_for_checkov(tmp_path: Path) -> None:
    file = tmp_path / "c.yaml"
    file.write_text("support_role_allow_account_roots: true\n")
    assert config_from_environment({CONFIG_ENV: str(file)}) == Config(allow_account_roots=True)
    assert config_from_environment({}) == Config()


def test_the_inline_variable_holds_the_settings_as_yaml_or_json() -> None:
    yaml_text = "aws:\n  support_role_allowed_policies: [ReadOnlyAccess]\n  support_role_strict_unknown: true\n"
    json_text = '{"support_role_trusted_account_ids": ["111122223333"]}'
    assert config_from_environment({INLINE_CONFIG_ENV: yaml_text}) == Config(
        allowed_policies=frozenset({"ReadOnlyAccess"}), strict_unknown=True
    )
    assert config_from_environment({INLINE_CONFIG_ENV: json_text}) == Config(
        trusted_account_ids=frozenset({"111122223333"})
    )
    assert config_from_environment({INLINE_CONFIG_ENV: "  ", CONFIG_ENV: ""}) == Config()  # empty is not set
    assert environment_source({INLINE_CONFIG_ENV: json_text}) == f"${INLINE_CONFIG_ENV}"
    assert environment_source({CONFIG_ENV: "/x.yaml"}) == f"${CONFIG_ENV}"
    assert environment_source({}) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"support_role_allow_account_roots": "yes"}',
            r"^\$CIS_SUPPORT_ROLE_CONFIG_INLINE: configuration key 'support_role_allow_account_roots' must be true",
        ),
        (
            "support_role_alowed_policies: [x]",
            r"^\$CIS_SUPPORT_ROLE_CONFIG_INLINE: unknown configuration key 'support_role_alowed_policies'",
        ),
        ("{not json", r"^\$CIS_SUPPORT_ROLE_CONFIG_INLINE is not valid JSON"),
        ("a: [unclosed", r"^\$CIS_SUPPORT_ROLE_CONFIG_INLINE is not valid YAML"),
        ("- a\n- b\n", r"^\$CIS_SUPPORT_ROLE_CONFIG_INLINE must hold a mapping"),
    ],
)
def test_the_inline_variable_is_validated_as_strictly_as_a_file(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_environment({INLINE_CONFIG_ENV: text})


def test_an_error_in_the_file_variable_names_it(tmp_path: Path) -> None:
    file = tmp_path / "c.yaml"
    file.write_text("support_role_strict_unknown: 1\n")
    with pytest.raises(ConfigError, match=r"^\$CIS_SUPPORT_ROLE_CONFIG: configuration key 'support_role_strict_"):
        config_from_environment({CONFIG_ENV: str(file)})
    with pytest.raises(ConfigError, match=r"^\$CIS_SUPPORT_ROLE_CONFIG: cannot read configuration file"):
        config_from_environment({CONFIG_ENV: str(tmp_path / "absent.yaml")})


def test_both_variables_set_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "c.yaml"
    file.write_text("support_role_allow_account_roots: true\n")
    with pytest.raises(ConfigError, match=r"^\$CIS_SUPPORT_ROLE_CONFIG and \$CIS_SUPPORT_ROLE_CONFIG_INLINE: both"):
        config_from_environment({CONFIG_ENV: str(file), INLINE_CONFIG_ENV: "support_role_allow_account_roots: true"})
    assert environment_source({CONFIG_ENV: str(file), INLINE_CONFIG_ENV: "x"}) == (
        f"${CONFIG_ENV} and ${INLINE_CONFIG_ENV}"
    )

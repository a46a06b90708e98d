"""One configuration with one meaning in both scanners.

Keys all start with ``support_role_`` so that they can sit in Prowler's own config file under
``aws:`` beside Prowler's keys; the same file (or a file with only our keys, at the top level or
under ``aws:``) configures the Checkov checks. A key with our prefix that we do not know, or a
value of the wrong type, is refused with an error naming the key.

Both scanners also read the settings from the environment (Prowler App and CI runners take no
config file of ours): ``$CIS_SUPPORT_ROLE_CONFIG`` names such a file, ``$CIS_SUPPORT_ROLE_CONFIG_INLINE``
holds the same document itself (YAML or JSON). Setting both is refused: which one was meant?
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ._arn import split_arn

PREFIX = "support_role_"
CONFIG_ENV = "CIS_SUPPORT_ROLE_CONFIG"  # a path to a YAML or JSON file
INLINE_CONFIG_ENV = "CIS_SUPPORT_ROLE_CONFIG_INLINE"  # the document itself, YAML or JSON
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_TOKEN = re.compile(r"^\$\{[^{}]*\}$")
# An action pattern as IAM writes it: a literal service prefix, a colon, a name that may hold * and ?.
_ACTION_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*:[A-Za-z0-9*?]+$", re.IGNORECASE)


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


def policy_listed(listed: frozenset[str], arn_or_name: str) -> bool:
    """Whether a policy is among ``listed`` names or ARNs.

    A name matches the policy's name (the last element of its ARN). An ARN matches field by field,
    where the scanned ARN's partition or account may be an interpolation (IaC writes
    ``arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/x``): such a field matches any value, since
    it is the scanned configuration's own partition or account. A different literal never matches.
    """
    if not listed:
        return False
    text = arn_or_name.strip()
    name = text.rsplit("/", 1)[-1]
    if text in listed or name in listed:
        return True
    fields = split_arn(text)
    if fields is None or len(fields) != 6 or fields[0] != "arn":
        return False
    for entry in listed:
        wanted = entry.split(":", 5)
        if len(wanted) != 6 or wanted[0] != "arn":
            continue
        if all(
            got == want or (index in (1, 4) and bool(_TOKEN.match(got)))
            for index, (got, want) in enumerate(zip(fields, wanted, strict=True))
        ):
            return True
    return False


def action_covered(pattern: str, action: str) -> bool:
    """Whether the allowed ``pattern`` covers every action the policy's ``action`` pattern matches.

    Case-insensitive. A ``*`` of the policy's action may only be covered by a ``*`` of the allowed
    pattern (``health:Describe*`` covers ``health:DescribeEvents`` and ``health:Describe*``, not
    ``health:*``); a ``?`` by a ``?`` or a ``*``.
    """
    regex = "".join(".*" if c == "*" else "[^*]" if c == "?" else re.escape(c) for c in pattern.strip().lower())
    return re.fullmatch(regex, action.strip().lower(), re.DOTALL) is not None


@dataclass(frozen=True)
class Config:
    allow_account_roots: bool = False
    trusted_account_ids: frozenset[str] | None = None  # None: any account may be trusted
    allowed_policies: frozenset[str] = frozenset()  # policy names or ARNs allowed beside support
    strict_unknown: bool = False  # report UNKNOWN as a failure
    account_baseline_paths: tuple[str, ...] = ()  # IaC: root modules that are whole accounts
    support_policies: frozenset[str] = frozenset()  # customer policies (names or ARNs) that count as support
    allowed_actions: tuple[str, ...] = ()  # action patterns allowed beside the support family

    def policy_allowed(self, arn_or_name: str) -> bool:
        return policy_listed(self.allowed_policies, arn_or_name)

    def counts_as_support(self, arn_or_name: str) -> bool:
        """Whether a customer policy is listed in ``support_role_support_policies``."""
        return policy_listed(self.support_policies, arn_or_name)

    def action_allowed(self, action: str) -> bool:
        return any(action_covered(pattern, action) for pattern in self.allowed_actions)


KEYS: dict[str, str] = {
    "support_role_allow_account_roots": (
        "true to accept an account root (arn:...:root or an account ID) as a trusted principal"
    ),
    "support_role_trusted_account_ids": (
        "list of 12-digit account IDs whose principals may be trusted (own account included)"
    ),
    "support_role_allowed_policies": (
        "list of policy names or ARNs that may be attached to a support role beside AWSSupportAccess"
    ),
    "support_role_strict_unknown": "true to report UNKNOWN verdicts as failures (Checkov FAILED)",
    "support_role_account_baseline_paths": (
        "list of root module directories (globs) that describe a whole account (Checkov exists rule)"
    ),
    "support_role_support_policies": (
        "list of customer managed policy names or ARNs that count as the support policy in every rule"
    ),
    "support_role_allowed_actions": (
        "list of action patterns (e.g. health:Describe*) inline and customer policies of a support role may "
        "allow beside the support family"
    ),
}


def config_from_mapping(data: Mapping[str, object]) -> Config:
    """Read our keys from a mapping; keys without our prefix are ignored (they belong to others)."""
    ours = {k: v for k, v in data.items() if isinstance(k, str) and k.startswith(PREFIX)}
    for key in ours:
        if key not in KEYS:
            raise ConfigError(f"unknown configuration key {key!r}; known keys: {', '.join(sorted(KEYS))}")
    trusted = ours.get("support_role_trusted_account_ids")
    return Config(
        allow_account_roots=_bool(ours, "support_role_allow_account_roots"),
        trusted_account_ids=None if trusted is None else frozenset(_account_ids(trusted)),
        allowed_policies=frozenset(_strings(ours, "support_role_allowed_policies")),
        strict_unknown=_bool(ours, "support_role_strict_unknown"),
        account_baseline_paths=tuple(_strings(ours, "support_role_account_baseline_paths")),
        support_policies=frozenset(_support_policies(ours)),
        allowed_actions=tuple(_actions(ours)),
    )


def _support_policies(data: Mapping[str, object]) -> list[str]:
    key = "support_role_support_policies"
    policies = _strings(data, key)
    for policy in policies:
        if policy.startswith("arn:"):
            fields = policy.split(":", 5)
            if len(fields) != 6 or fields[2] != "iam" or not fields[5].startswith("policy/") or "${" in policy:
                raise ConfigError(f"configuration key {key!r}: {policy!r} is not an IAM policy ARN")
            if fields[4] == "aws":
                raise ConfigError(
                    f"configuration key {key!r}: {policy!r} is an AWS managed policy; only customer managed "
                    "policies can be listed (AWSSupportAccess always counts)"
                )
        elif "/" in policy or ":" in policy or "*" in policy:
            raise ConfigError(f"configuration key {key!r}: {policy!r} is neither a policy name nor an ARN")
    return policies


def _actions(data: Mapping[str, object]) -> list[str]:
    key = "support_role_allowed_actions"
    actions = _strings(data, key)
    for action in actions:
        if not _ACTION_PATTERN.match(action):
            raise ConfigError(
                f"configuration key {key!r}: {action!r} is not an action pattern like health:Describe* "
                "(a literal service prefix, a colon, an action name with * or ?)"
            )
    return actions


def _bool(data: Mapping[str, object], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"configuration key {key!r} must be true or false, not {value!r}")
    return value


def _strings(data: Mapping[str, object], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"configuration key {key!r} must be a list of non-empty strings, not {value!r}")
    return [v.strip() for v in value]


def _account_ids(value: object) -> list[str]:
    key = "support_role_trusted_account_ids"
    if not isinstance(value, list):
        raise ConfigError(f"configuration key {key!r} must be a list of 12-digit account IDs, not {value!r}")
    ids: list[str] = []
    for item in value:
        # YAML reads an unquoted account ID as an int. Only twelve written digits are taken: PyYAML
        # reads an unquoted leading-zero ID as octal (012345670123 -> 1402433619), so padding an int
        # back to twelve digits would silently trust the wrong account.
        text = str(item) if isinstance(item, int) and not isinstance(item, bool) else item
        if not isinstance(text, str) or not _ACCOUNT_ID.match(text):
            hint = " (quote account IDs that start with 0)" if isinstance(item, int) else ""
            raise ConfigError(f"configuration key {key!r}: {item!r} is not a 12-digit AWS account ID{hint}")
        ids.append(text)
    return ids


def load_config_file(path: str | os.PathLike[str]) -> Config:
    """Read a JSON or YAML file (YAML needs PyYAML, which both scanners install).

    Raises :class:`ConfigError` naming the file (unreadable, not JSON/YAML, not a mapping) or the key.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read configuration file {file}: {error.strerror or error}") from None
    source = f"configuration file {file}"
    data = _parse_json(text, source) if file.suffix.lower() == ".json" else _parse_yaml(text, source)
    return _config_from_document(data, source)


def load_config_text(text: str, source: str) -> Config:
    """Read a YAML or JSON document given as text (``source`` names it in errors, e.g. a variable).

    JSON is read as JSON (no PyYAML needed); anything else needs PyYAML. Raises :class:`ConfigError`.
    """
    stripped = text.strip()
    data = _parse_json(stripped, source) if stripped.startswith(("{", "[")) else _parse_yaml(text, source)
    return _config_from_document(data, source)


def _config_from_document(data: object, source: str) -> Config:
    if data is None:
        return Config()
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source} must hold a mapping of keys to values")
    nested = data.get("aws")
    merged: dict[str, object] = dict(data)
    if isinstance(nested, Mapping):
        merged.update(nested)
    return config_from_mapping(merged)


def _parse_json(text: str, source: str) -> object:
    try:
        return json.loads(text)
    except ValueError as error:
        raise ConfigError(f"{source} is not valid JSON: {error}") from None


def _parse_yaml(text: str, source: str) -> object:
    try:
        import yaml
    except ImportError:
        raise ConfigError(f"{source} is YAML but PyYAML is not installed") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source} is not valid YAML: {error}") from None


def environment_source(environ: Mapping[str, str] | None = None) -> str | None:
    """Which environment variable configures the checks (``"$NAME"``), or None when neither is set."""
    env = os.environ if environ is None else environ
    names = [f"${name}" for name in (CONFIG_ENV, INLINE_CONFIG_ENV) if env.get(name, "").strip()]
    return " and ".join(names) or None


def config_from_environment(environ: Mapping[str, str] | None = None) -> Config:
    """The configuration ``$CIS_SUPPORT_ROLE_CONFIG`` names or ``$CIS_SUPPORT_ROLE_CONFIG_INLINE`` holds.

    The defaults when neither is set (an empty value counts as not set). Raises :class:`ConfigError`
    when both are set, and for whatever :func:`load_config_file` or :func:`load_config_text` refuses;
    the message starts with the variable (``$CIS_SUPPORT_ROLE_CONFIG_INLINE: configuration key ...``).
    """
    env = os.environ if environ is None else environ
    path = env.get(CONFIG_ENV, "").strip()
    inline = env.get(INLINE_CONFIG_ENV, "").strip()
    if path and inline:
        raise ConfigError(
            f"${CONFIG_ENV} and ${INLINE_CONFIG_ENV}: both are set, one naming a file and one holding the "
            "settings; set only one of them"
        )
    source = f"${CONFIG_ENV}" if path else f"${INLINE_CONFIG_ENV}"
    try:
        if path:
            return load_config_file(path)
        if inline:
            return load_config_text(inline, source)
    except ConfigError as error:
        text = str(error)
        raise ConfigError(text if text.startswith(source) else f"{source}: {text}") from None
    return Config()

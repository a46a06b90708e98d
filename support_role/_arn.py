"""ARNs, partitions, the support policy, and what kind of principal a trust policy names."""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

from ._facts import Principal, PrincipalKind
from ._values import is_unresolved_reference

PARTITIONS: tuple[str, ...] = (
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
)
SUPPORT_POLICY_NAME = "AWSSupportAccess"
_TOKEN = re.compile(r"^\$\{[^{}]*\}$")
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
# Unique IDs IAM shows in place of a principal that was deleted (users AIDA, roles AROA, ...).
_UNIQUE_ID = re.compile(r"^A(?:IDA|ROA|GPA|NPA|NVA|PKA|SCA|SIA|CCA|KIA|3T)[A-Z0-9]{12,}$")


def support_policy_arn(partition: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{SUPPORT_POLICY_NAME}"


def split_arn(text: str) -> list[str] | None:
    """Split an ARN into its six fields, keeping ``${...}`` tokens (which may hold ``::``) whole."""
    fields = _split_arn(text)
    return None if fields is None else list(fields)


_SIMPLE_TOKEN = re.compile(r"\$\{[^{}]*\}")


@functools.lru_cache(maxsize=8192)  # a scan of thousands of roles asks for the same ARNs again and again
def _split_arn(text: str) -> tuple[str, ...] | None:
    masked, tokens = text, []
    if "${" in text and "\0" not in text:
        # hide simple ${...} tokens; what remains has no braces to track, so str.split does the rest
        def hold(match: re.Match[str]) -> str:
            tokens.append(match.group(0))
            return f"\0{len(tokens) - 1}\0"

        masked = _SIMPLE_TOKEN.sub(hold, text)
    if "${" not in masked:
        parts = masked.split(":", 5)
        if tokens:
            parts = [re.sub("\0([0-9]+)\0", lambda m: tokens[int(m.group(1))], part) for part in parts]
        return tuple(parts) if len(parts) == 6 and parts[0] == "arn" else None
    fields: list[str] = []  # nested or unclosed tokens: track the depth character by character
    current: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if text.startswith("${", i):
            depth += 1
            current.append("${")
            i += 2
            continue
        if char == "}" and depth:
            depth -= 1
        if char == ":" and not depth and len(fields) < 5:
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    fields.append("".join(current))
    if len(fields) != 6 or fields[0] != "arn":
        return None
    return tuple(fields)


def is_token(segment: str) -> bool:
    return bool(_TOKEN.match(segment))


def partition_ok(segment: str) -> bool:
    """A real partition, or one written as an interpolation (``${AWS::Partition}``, ``${data...}``).

    Checkov hands over an interpolation inside ``jsonencode`` without its ``${ }``
    (``arn:data.aws_partition.current.partition:iam::...``): a bare Terraform reference counts too.
    """
    return segment in PARTITIONS or is_token(segment) or is_unresolved_reference(segment)


def is_support_policy(arn: str) -> bool:
    """The AWS managed AWSSupportAccess policy in any partition; never a customer look-alike."""
    fields = split_arn(arn.strip())
    return (
        fields is not None
        and partition_ok(fields[1])
        and fields[2:5] == ["iam", "", "aws"]
        and fields[5] == f"policy/{SUPPORT_POLICY_NAME}"
    )


def is_aws_managed_policy(arn: str) -> bool:
    fields = split_arn(arn.strip())
    return fields is not None and fields[2:5] == ["iam", "", "aws"] and fields[5].startswith("policy/")


def policy_name(arn: str) -> str:
    """The policy's name: the last path element of its ARN (or the text itself)."""
    return arn.rsplit("/", 1)[-1]


class PrincipalClass(str, enum.Enum):
    WILDCARD = "wildcard"
    ACCOUNT_ROOT = "account-root"
    IAM_USER = "iam-user"
    IAM_ROLE = "iam-role"
    IDENTITY_CENTER_ROLE = "identity-center-role"
    ASSUMED_ROLE = "assumed-role-session"
    FEDERATED_USER = "federated-user"
    SERVICE = "service"
    SAML_PROVIDER = "saml-provider"
    OIDC_PROVIDER = "oidc-provider"
    UNIQUE_ID = "deleted-principal"
    CANONICAL_USER = "canonical-user"
    INVALID = "invalid"
    UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class PrincipalInfo:
    principal: Principal
    cls: PrincipalClass
    account: str | None = None  # 12 digits, a ${token}, or None when the principal has none
    wildcard: bool = False  # '*' or '?' somewhere in an ARN
    oidc_host: str | None = None  # the issuer whose ':sub' key must be conditioned

    @property
    def account_is_literal(self) -> bool:
        return self.account is not None and bool(_ACCOUNT_ID.match(self.account))


_WELL_KNOWN_OIDC = ("accounts.google.com", "graph.facebook.com", "www.amazon.com", "cognito-identity.amazonaws.com")


def classify(principal: Principal) -> PrincipalInfo:
    """What a principal value means for IAM, read as IAM reads it."""
    value = principal.value.strip()
    if not principal.resolved or is_unresolved_reference(value):
        return PrincipalInfo(principal, PrincipalClass.UNRESOLVED)
    if principal.kind is PrincipalKind.SERVICE:
        return PrincipalInfo(principal, PrincipalClass.SERVICE, wildcard="*" in value)
    if principal.kind is PrincipalKind.CANONICAL_USER:
        return PrincipalInfo(principal, PrincipalClass.CANONICAL_USER)
    if principal.kind is PrincipalKind.FEDERATED:
        return _classify_federated(principal, value)
    return _classify_aws(principal, value)


def _classify_federated(principal: Principal, value: str) -> PrincipalInfo:
    if value == "*":
        return PrincipalInfo(principal, PrincipalClass.WILDCARD, wildcard=True)
    fields = split_arn(value)
    if fields is None:
        if value in _WELL_KNOWN_OIDC or ("." in value and "/" not in value and "*" not in value):
            return PrincipalInfo(principal, PrincipalClass.OIDC_PROVIDER, oidc_host=value)
        return PrincipalInfo(principal, PrincipalClass.INVALID, wildcard="*" in value or "?" in value)
    wildcard = any(c in value for c in "*?")
    account = fields[4] or None
    if fields[2] == "iam" and fields[5].startswith("saml-provider/"):
        return PrincipalInfo(principal, PrincipalClass.SAML_PROVIDER, account, wildcard)
    if fields[2] == "iam" and fields[5].startswith("oidc-provider/"):
        host = fields[5][len("oidc-provider/") :]
        return PrincipalInfo(principal, PrincipalClass.OIDC_PROVIDER, account, wildcard, oidc_host=host)
    return PrincipalInfo(principal, PrincipalClass.INVALID, account, wildcard)


def _classify_aws(principal: Principal, value: str) -> PrincipalInfo:
    if value == "*":
        return PrincipalInfo(principal, PrincipalClass.WILDCARD, wildcard=True)
    if _ACCOUNT_ID.match(value):
        return PrincipalInfo(principal, PrincipalClass.ACCOUNT_ROOT, value)
    if _UNIQUE_ID.match(value):
        return PrincipalInfo(principal, PrincipalClass.UNIQUE_ID)
    fields = split_arn(value)
    if fields is None or not partition_ok(fields[1]):
        return PrincipalInfo(principal, PrincipalClass.INVALID, wildcard="*" in value)
    _, _, service, _, account, resource = fields
    wildcard = any(c in value.replace("${", "").replace("}", "") for c in "*?")
    acct = account or None
    if service == "iam" and resource == "root":
        return PrincipalInfo(principal, PrincipalClass.ACCOUNT_ROOT, acct, wildcard)
    if service == "iam" and resource.startswith("user/"):
        return PrincipalInfo(principal, PrincipalClass.IAM_USER, acct, wildcard)
    if service == "iam" and resource.startswith("role/"):
        sso = resource.startswith("role/aws-reserved/sso.amazonaws.com/")
        cls = PrincipalClass.IDENTITY_CENTER_ROLE if sso else PrincipalClass.IAM_ROLE
        return PrincipalInfo(principal, cls, acct, wildcard)
    if service == "sts" and resource.startswith("assumed-role/"):
        return PrincipalInfo(principal, PrincipalClass.ASSUMED_ROLE, acct, wildcard)
    if service == "sts" and resource.startswith("federated-user/"):
        return PrincipalInfo(principal, PrincipalClass.FEDERATED_USER, acct, wildcard)
    return PrincipalInfo(principal, PrincipalClass.INVALID, acct, wildcard)

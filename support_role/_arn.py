"""ARNs, partitions, the support policy, and what kind of principal a trust policy names.

:func:`classify` reads a principal as IAM reads it. Since v0.2 it also reads what IaC knows without a
value (see the design note in :mod:`support_role._facts`): a :class:`~support_role.TypedReference`
is classified by its kind, and a partially known ARN by its literal parts: a ``${...}`` token in the
partition, account or name leaves the kind known (``arn:${AWS::Partition}:iam::${Admin}:root`` is an
account root), a token in the service or the resource type leaves it unknown (``unresolved``).
Tokens are never wildcards. An account that is the scanned configuration's own (a typed reference,
``${AWS::AccountId}``, ``data.aws_caller_identity.<n>.account_id``) is marked ``own_account``: IaC
cannot compare it with a list of trusted accounts.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

from ._facts import Principal, PrincipalKind, ReferenceKind, TypedReference
from ._values import is_policy_variable, is_unresolved_reference, request_dependent, without_policy_variables

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
# One region of each partition: AWS (and moto, and the AWS provider's data.aws_partition) derive a
# call's partition from the region it is signed for, so this is how a client picks a partition.
REGION_OF_PARTITION: dict[str, str] = {
    "aws": "us-east-1",
    "aws-cn": "cn-north-1",
    "aws-us-gov": "us-gov-west-1",
    "aws-iso": "us-iso-east-1",
    "aws-iso-b": "us-isob-east-1",
    "aws-iso-e": "eu-isoe-west-1",
    "aws-iso-f": "us-isof-south-1",
    "aws-eusc": "eusc-de-east-1",
}
SUPPORT_POLICY_NAME = "AWSSupportAccess"
_TOKEN = re.compile(r"^\$\{[^{}]*\}$")
_ANY_TOKEN = re.compile(r"\$\{[^{}]*\}")
# The scanned configuration's own account, as IaC writes it (whole value or one ARN field).
OWN_ACCOUNT_TOKEN = "${AWS::AccountId}"
_OWN_ACCOUNT = re.compile(
    r"^(?:\$\{(?:AWS::AccountId|account|data\.aws_caller_identity\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.account_id)\}"
    r"|data\.aws_caller_identity\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.account_id)$"
)
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
    """A whole ``${...}`` interpolation (an IaC reference); an IAM policy variable is not one."""
    return bool(_TOKEN.match(segment)) and not is_policy_variable(segment)


def _has_interpolation(text: str) -> bool:
    """Whether ``text`` holds an IaC interpolation (``${...}`` that is not an IAM policy variable)."""
    return "${" in text and "${" in without_policy_variables(text)


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
    GROUP = "iam-group"
    INVALID = "invalid"
    UNRESOLVED = "unresolved"


ROLE_CLASSES = frozenset({PrincipalClass.IAM_ROLE, PrincipalClass.IDENTITY_CENTER_ROLE, PrincipalClass.ASSUMED_ROLE})


@dataclass(frozen=True)
class PrincipalInfo:
    principal: Principal
    cls: PrincipalClass
    account: str | None = None  # 12 digits, a ${token}, or None when the principal has none
    wildcard: bool = False  # a literal '*' or '?' somewhere in an ARN (tokens are not wildcards)
    oidc_host: str | None = None  # the issuer whose ':sub' key must be conditioned (None: not known)
    own_account: bool = False  # the account is the scanned configuration's own (unknown to IaC)
    identity_center_wildcards: bool = False  # every wildcard is one IAM Identity Center forces

    @property
    def account_is_literal(self) -> bool:
        return self.account is not None and bool(_ACCOUNT_ID.match(self.account))

    @property
    def reference(self) -> TypedReference | None:
        return self.principal.reference


_WELL_KNOWN_OIDC = ("accounts.google.com", "graph.facebook.com", "www.amazon.com", "cognito-identity.amazonaws.com")
# An Identity Center permission set's role: role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<set>_<hex>.
# The region segment and the random suffix are the only parts a policy cannot know in advance.
_IDENTITY_CENTER = re.compile(
    r"^role/aws-reserved/sso\.amazonaws\.com/(?:(?:\*|[a-z0-9-]+)/)?AWSReservedSSO_[A-Za-z0-9_+=,.@-]+_(?:\*|[0-9a-fA-F]+)$"
)


def is_own_account(segment: str) -> bool:
    """Whether an account field (or a whole value) names the scanned configuration's own account."""
    return bool(_OWN_ACCOUNT.match(segment.strip()))


def _literal_wildcard(text: str) -> bool:
    """A literal ``*`` or ``?``, or an IAM policy variable whose value the request brings (in
    ``aws:PrincipalArn``, ``user/${aws:username}`` matches every user; in ``Principal`` IAM does not
    substitute it, so no such principal exists): either way no specific person is named. IaC
    interpolations and the fixed ``${*}``/``${?}``/``${$}`` are not wildcards."""
    if request_dependent(text):
        return True
    return any(c in _ANY_TOKEN.sub("", without_policy_variables(text)) for c in "*?")


def identity_center_wildcards_only(arn: str) -> bool:
    """Whether every wildcard of a role ARN is one IAM Identity Center forces on a policy.

    A permission set's role is ``role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<set>_<suffix>``
    with a random suffix, and a region segment outside us-east-1: ``*`` in those two places names
    exactly the people assigned the permission set. The set's name and the account must be literal.
    """
    fields = split_arn(arn.strip())
    if fields is None or fields[2] != "iam" or _literal_wildcard(fields[1]) or _literal_wildcard(fields[4]):
        return False
    resource = fields[5]
    return "${" not in resource and bool(_IDENTITY_CENTER.match(resource))


def reference_arn(reference: TypedReference) -> str:
    """The partially known ARN a typed reference stands for (the unknown parts as ``${...}`` tokens).

    Sources use it where a reference appears in a condition value (``aws:PrincipalArn``), so that
    the same reading applies there as in ``Principal``.
    """
    account = reference.account or OWN_ACCOUNT_TOKEN
    name = (reference.name or "${name}").lstrip("/")
    prefix = f"arn:${{AWS::Partition}}:iam::{account}:"
    if reference.kind is ReferenceKind.IAM_USER:
        return f"{prefix}user/{name}"
    if reference.kind is ReferenceKind.IAM_ROLE:
        return f"{prefix}role/{name}"
    if reference.kind is ReferenceKind.IAM_GROUP:
        return f"{prefix}group/{name}"
    if reference.kind is ReferenceKind.SAML_PROVIDER:
        return f"{prefix}saml-provider/{name}"
    if reference.kind is ReferenceKind.OIDC_PROVIDER:
        return f"{prefix}oidc-provider/{reference.issuer or '${issuer}'}"
    return f"{prefix}root"


def oidc_issuer(url: str) -> str:
    """An OIDC provider's issuer as IAM keys its conditions: the URL without scheme and final slash."""
    text = url.strip()
    for scheme in ("https://", "http://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
    return text.rstrip("/")


def classify(principal: Principal) -> PrincipalInfo:
    """What a principal value means for IAM, read as IAM reads it."""
    if principal.reference is not None:
        return _classify_reference(principal, principal.reference)
    value = principal.value.strip()
    if principal.kind is PrincipalKind.AWS and is_own_account(value):
        return PrincipalInfo(principal, PrincipalClass.ACCOUNT_ROOT, value, own_account=True)
    if not principal.resolved or is_unresolved_reference(value):
        return PrincipalInfo(principal, PrincipalClass.UNRESOLVED)
    if principal.kind is PrincipalKind.SERVICE:
        return PrincipalInfo(principal, PrincipalClass.SERVICE, wildcard="*" in value)
    if principal.kind is PrincipalKind.CANONICAL_USER:
        return PrincipalInfo(principal, PrincipalClass.CANONICAL_USER)
    if principal.kind is PrincipalKind.FEDERATED:
        return _classify_federated(principal, value)
    return _classify_aws(principal, value)


def _classify_reference(principal: Principal, reference: TypedReference) -> PrincipalInfo:
    kind = reference.kind
    issuer = oidc_issuer(reference.issuer) if reference.issuer else None
    own = reference.account is None
    account = reference.account or OWN_ACCOUNT_TOKEN
    if (
        kind is ReferenceKind.IAM_ROLE
        and reference.name
        and reference.name.lstrip("/").startswith("aws-reserved/sso.amazonaws.com/")
    ):
        return PrincipalInfo(principal, PrincipalClass.IDENTITY_CENTER_ROLE, account, own_account=own)
    cls = {
        ReferenceKind.IAM_USER: PrincipalClass.IAM_USER,
        ReferenceKind.IAM_ROLE: PrincipalClass.IAM_ROLE,
        ReferenceKind.SAML_PROVIDER: PrincipalClass.SAML_PROVIDER,
        ReferenceKind.OIDC_PROVIDER: PrincipalClass.OIDC_PROVIDER,
        ReferenceKind.ACCOUNT: PrincipalClass.ACCOUNT_ROOT,
        ReferenceKind.IAM_GROUP: PrincipalClass.GROUP,
    }[kind]
    return PrincipalInfo(principal, cls, account, oidc_host=issuer, own_account=own)


def _kind_unknown(fields: tuple[str, ...] | list[str]) -> bool:
    """A token in the service or the resource type: what the ARN names cannot be told."""
    resource_type = fields[5].split("/", 1)[0] if "/" in fields[5] else fields[5]
    return _has_interpolation(fields[2]) or _has_interpolation(resource_type)


def _classify_federated(principal: Principal, value: str) -> PrincipalInfo:
    if value == "*":
        return PrincipalInfo(principal, PrincipalClass.WILDCARD, wildcard=True)
    fields = split_arn(value)
    if fields is None:
        if value in _WELL_KNOWN_OIDC or ("." in value and "/" not in value and "*" not in value):
            return PrincipalInfo(principal, PrincipalClass.OIDC_PROVIDER, oidc_host=value)
        return PrincipalInfo(principal, PrincipalClass.INVALID, wildcard="*" in value or "?" in value)
    if _kind_unknown(fields):
        return PrincipalInfo(principal, PrincipalClass.UNRESOLVED)
    wildcard = _literal_wildcard(value)
    account = fields[4] or None
    own = account is not None and is_own_account(account)
    if fields[2] == "iam" and fields[5].startswith("saml-provider/"):
        return PrincipalInfo(principal, PrincipalClass.SAML_PROVIDER, account, wildcard, own_account=own)
    if fields[2] == "iam" and fields[5].startswith("oidc-provider/"):
        host = fields[5][len("oidc-provider/") :]
        known = host if "${" not in host else None
        return PrincipalInfo(principal, PrincipalClass.OIDC_PROVIDER, account, wildcard, known, own_account=own)
    return PrincipalInfo(principal, PrincipalClass.INVALID, account, wildcard, own_account=own)


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
    if _kind_unknown(fields):
        return PrincipalInfo(principal, PrincipalClass.UNRESOLVED)
    _, _, service, _, account, resource = fields
    wildcard = _literal_wildcard(value)
    acct = account or None
    info = functools.partial(
        PrincipalInfo, principal, account=acct, wildcard=wildcard, own_account=acct is not None and is_own_account(acct)
    )
    if service == "iam" and resource == "root":
        return info(PrincipalClass.ACCOUNT_ROOT)
    if service == "iam" and resource.startswith("user/"):
        return info(PrincipalClass.IAM_USER)
    if service == "iam" and resource.startswith("role/"):
        if resource.startswith("role/aws-reserved/sso.amazonaws.com/"):
            forced = wildcard and identity_center_wildcards_only(value)
            return info(PrincipalClass.IDENTITY_CENTER_ROLE, identity_center_wildcards=forced)
        return info(PrincipalClass.IAM_ROLE)
    if service == "iam" and resource.startswith("group/"):
        return info(PrincipalClass.GROUP)
    if service == "sts" and resource.startswith("assumed-role/"):
        return info(PrincipalClass.ASSUMED_ROLE)
    if service == "sts" and resource.startswith("federated-user/"):
        return info(PrincipalClass.FEDERATED_USER)
    return info(PrincipalClass.INVALID)

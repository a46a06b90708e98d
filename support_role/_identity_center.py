"""How IAM Identity Center names what it creates from a permission set, in one place.

Identity Center makes one IAM role per permission set in every account the set is assigned to,
under the path ``/aws-reserved/sso.amazonaws.com/`` (with a region segment in newer accounts),
named ``AWSReservedSSO_<permission set name>_<16 hexadecimal digits>``; the permission set's inline
policy becomes that role's inline policy ``AwsSSOInlinePolicy``, and the role trusts the account's
SAML provider ``AWSSSO_<...>_DO_NOT_DELETE`` with ``sts:AssumeRoleWithSAML``.
"""

from __future__ import annotations

import re

ROLE_PATH_PREFIX = "/aws-reserved/sso.amazonaws.com/"
ROLE_NAME_PREFIX = "AWSReservedSSO_"
INLINE_POLICY_NAME = "AwsSSOInlinePolicy"
# A permission set's name is 1-32 characters of [\w+=,.@-]; the suffix is 16 hexadecimal digits.
_ROLE_NAME = re.compile(r"^AWSReservedSSO_(?P<set>[\w+=,.@-]{1,32})_(?P<suffix>[0-9a-fA-F]{16})$")
_ROLE_ARN = re.compile(r"^arn:[^:]+:iam::[^:]*:role/aws-reserved/sso\.amazonaws\.com/(?:[^/]+/)*(?P<name>[^/]+)$")


def permission_set_of_role(role_arn: str | None) -> str | None:
    """The name of the permission set an ``AWSReservedSSO_*`` role was made from, read off its ARN.

    None for any other role (and for a role without an ARN, as IaC roles usually are): only the
    path and the name Identity Center gives its roles are taken as the sign, and nothing else is
    inferred from them.
    """
    if not role_arn:
        return None
    match = _ROLE_ARN.match(role_arn)
    if match is None:
        return None
    name = _ROLE_NAME.match(match.group("name"))
    return name.group("set") if name else None


def role_name(permission_set: str, suffix: str) -> str:
    """The name Identity Center gives the role it makes from ``permission_set`` (``suffix``: 16 hex digits)."""
    return f"{ROLE_NAME_PREFIX}{permission_set}_{suffix}"


def role_path(region: str) -> str:
    """The path of the roles Identity Center makes, for an instance in ``region``."""
    return f"{ROLE_PATH_PREFIX}{region}/"


def reference_path(path: str | None) -> str:
    """The path of a customer managed policy reference as IAM writes it: ``/`` when absent, else
    with a slash at both ends (Identity Center attaches the policy of that path and name)."""
    text = (path or "").strip("/")
    return f"/{text}/" if text else "/"

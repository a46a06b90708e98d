"""Facts from the IAM API's response shapes (plain dicts, whatever client produced them).

:func:`role_from_api` turns what GetRole, ListAttachedRolePolicies, ListRolePolicies/GetRolePolicy
and GetPolicy/GetPolicyVersion return into a :class:`Role`. The reading itself (which calls, in
which order, with which errors) lives in :mod:`support_role.sources.iam_reader`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .._arn import is_aws_managed_policy
from .._facts import Document, InlinePolicy, ManagedAttachment, Role, Unknown
from .._policy import parse_policy


def role_from_api(
    role: Mapping[str, object],
    attached: Sequence[Mapping[str, object]] | Unknown,
    inline: Mapping[str, object] | Unknown,
    customer_documents: Mapping[str, Document],
) -> Role:
    """A role from GetRole's ``Role``, its attached policies, its inline documents by name, and
    the default-version documents of the customer managed policies it has (by ARN)."""
    name = str(role.get("RoleName", "?"))
    arn = role.get("Arn")
    boundary = role.get("PermissionsBoundary")
    boundary_arn = boundary.get("PermissionsBoundaryArn") if isinstance(boundary, Mapping) else None
    trust_raw = role.get("AssumeRolePolicyDocument")
    trust = parse_policy(trust_raw) if trust_raw is not None else Unknown("GetRole returned no trust policy")
    managed: tuple[ManagedAttachment, ...] | Unknown
    if isinstance(attached, Unknown):
        managed = attached
    else:
        items: list[ManagedAttachment] = []
        for entry in attached:
            policy_arn = entry.get("PolicyArn")
            if not isinstance(policy_arn, str):
                items.append(ManagedAttachment(Unknown("an attached policy has no ARN")))
            elif is_aws_managed_policy(policy_arn):
                items.append(ManagedAttachment(policy_arn))
            else:
                document = customer_documents.get(policy_arn, Unknown(f"the document of {policy_arn} was not read"))
                items.append(ManagedAttachment(policy_arn, document))
        managed = tuple(items)
    inline_policies: tuple[InlinePolicy, ...] | Unknown
    if isinstance(inline, Unknown):
        inline_policies = inline
    else:
        inline_policies = tuple(
            InlinePolicy(policy_name, doc if isinstance(doc, Unknown) else parse_policy(doc))
            for policy_name, doc in sorted(inline.items())
        )
    return Role(
        name=name,
        address=name,
        arn=arn if isinstance(arn, str) else None,
        trust=trust,
        managed=managed,
        inline=inline_policies,
        boundary=boundary_arn if isinstance(boundary_arn, str) else None,
    )

"""Read the IAM Identity Center permission sets of a live account through the SSO Admin API.

Run in the organisation's management account or Identity Center's delegated-administrator account,
where the permission sets are defined. The clients are duck-typed like the IAM reader's: one
object per region with the boto3 ``sso-admin`` client's methods (keyword arguments as in the API,
response dicts back), and the account's IAM client for the documents of customer managed policies.
Nothing here imports boto3; errors are recognised by their shape (see :func:`iam_reader.error_code`).

What it reads, and why the cost grows with the number of permission sets only:

1. ``ListInstances`` in each region given (an organisation has one instance, in its home region).
2. ``ListPermissionSets`` per instance (100 per page).
3. ``ListManagedPoliciesInPermissionSet`` per permission set (a set holds at most 20 managed
   policies: one page). No API lists the permission sets holding a policy, so this is how a support
   permission set is found. Only when customer policies count as support policies
   (``support_role_support_policies``) ``ListCustomerManagedPolicyReferencesInPermissionSet`` too.
4. Per support permission set only: ``DescribePermissionSet`` (its name),
   ``ListCustomerManagedPolicyReferencesInPermissionSet``, ``GetInlinePolicyForPermissionSet``,
   ``ListAccountsForProvisionedPermissionSet`` (the accounts where it has made a role: evidence), and
   IAM ``GetPolicy`` + ``GetPolicyVersion`` once per distinct customer managed policy reference: the
   policy of that path and name in this account (docs/DECISIONS.md).

So the read costs ``R + I + P + 4 S + 2 C`` calls for R regions, I instances, P permission sets of
which S are support permission sets with C distinct customer references between them (plus P when
customer policies count as support policies): one call per other permission set, four per support
permission set.

A call that fails never raises: what it was for becomes :class:`~support_role.Unknown` with a reason
naming the call, the error and the permission (``sso:<Action>``), and a listing that fails is
reported in :attr:`IdentityCenterRead.unreadable`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from .._arn import is_aws_managed_policy
from .._config import Config
from .._facts import InlinePolicy, ManagedAttachment, PermissionSet, Unknown
from .._identity_center import INLINE_POLICY_NAME, reference_path
from .._policy import parse_policy
from .._rules import support_status
from .iam_reader import Failure, IamClient, _CallFailed, _entries, _Reader, _Shape

_T = TypeVar("_T")

SSO = "sso"  # the IAM service prefix of the SSO Admin API's actions
PAGE_SIZE = 100  # the most the SSO Admin API's list calls return per page

# Every SSO Admin action this module may call (read only); customer policies add iam:GetPolicy and
# iam:GetPolicyVersion, which the IAM reader needs anyway.
REQUIRED_ACTIONS: tuple[str, ...] = (
    "sso:ListInstances",
    "sso:ListPermissionSets",
    "sso:ListManagedPoliciesInPermissionSet",
    "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
    "sso:DescribePermissionSet",
    "sso:GetInlinePolicyForPermissionSet",
    "sso:ListAccountsForProvisionedPermissionSet",
)


class SsoAdminClient(Protocol):
    """The part of a boto3 ``sso-admin`` client this module calls."""

    def list_instances(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def list_permission_sets(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def list_managed_policies_in_permission_set(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def list_customer_managed_policy_references_in_permission_set(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def describe_permission_set(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def get_inline_policy_for_permission_set(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def list_accounts_for_provisioned_permission_set(self, **kwargs: Any) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class PermissionSetDetails:
    """What a finding shows about a permission set beside the facts."""

    name: str
    arn: str
    region: str
    instance_arn: str
    accounts: tuple[str, ...] | None = None  # where it has made a role; None when not read


@dataclass(frozen=True)
class IdentityCenterRead:
    """The support (and possibly support) permission sets, what could not be read, every call made."""

    permission_sets: tuple[PermissionSet, ...] = ()
    details: Mapping[str, PermissionSetDetails] = field(default_factory=dict)  # by permission set address
    unreadable: tuple[str, ...] = ()  # why some permission sets could not be listed
    failures: tuple[Failure, ...] = ()
    notes: tuple[str, ...] = ()  # reads that failed without changing any verdict
    calls: tuple[str, ...] = ()


def _strings(answer: Mapping[str, Any], key: str) -> list[str]:
    value = answer.get(key)
    if value is None:  # botocore leaves out an empty list
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise _Shape(f"{key} is not a list of strings")
    return value


def _field(entries: Sequence[Mapping[str, Any]], key: str, name: str) -> list[str]:
    values = [entry.get(name) for entry in entries]
    if not all(isinstance(value, str) and value for value in values):
        raise _Shape(f"a {name} in {key} is not a string")
    return [str(value) for value in values]


class _SsoReader:
    def __init__(self, iam: _Reader, config: Config, page_size: int) -> None:
        self.iam = iam  # shares the call log and the failures; reads customer policy documents
        self.config = config
        self.page_size = page_size
        self.notes: list[str] = []

    def pages(self, operation: str, method: Any, subject: str, read: Any, **kwargs: Any) -> list[Any]:
        return list(self.iam.token_pages(operation, method, subject, read, SSO, self.page_size, **kwargs))

    def about_set(
        self,
        operation: str,
        method: Callable[..., Mapping[str, Any]],
        instance: str,
        arn: str,
        read: Callable[[Mapping[str, Any]], _T],
    ) -> _T:
        """``read`` of the answer to one unpaged call about permission set ``arn`` of ``instance``.

        Raises ``_CallFailed`` (the reason in ``failure``) as ``_Reader.call`` does."""
        return self.iam.call(
            operation, method, f"permission set {arn}", read, SSO, InstanceArn=instance, PermissionSetArn=arn
        )

    def instances(self, region: str, client: SsoAdminClient) -> list[str]:
        def read(page: Mapping[str, Any]) -> list[str]:
            return _field(_entries(page, "Instances"), "Instances", "InstanceArn")

        subject = f"IAM Identity Center in {region}"
        return [arn for page in self.pages("ListInstances", client.list_instances, subject, read) for arn in page]

    def permission_set_arns(self, client: SsoAdminClient, instance: str) -> list[str]:
        def read(page: Mapping[str, Any]) -> list[str]:
            return _strings(page, "PermissionSets")

        method = client.list_permission_sets
        pages = self.pages("ListPermissionSets", method, f"instance {instance}", read, InstanceArn=instance)
        return list(dict.fromkeys(arn for page in pages for arn in page))

    def managed(self, client: SsoAdminClient, instance: str, arn: str) -> list[ManagedAttachment]:
        def read(page: Mapping[str, Any]) -> list[str]:
            return _field(_entries(page, "AttachedManagedPolicies"), "AttachedManagedPolicies", "Arn")

        method = client.list_managed_policies_in_permission_set
        pages = self.pages(
            "ListManagedPoliciesInPermissionSet",
            method,
            f"permission set {arn}",
            read,
            InstanceArn=instance,
            PermissionSetArn=arn,
        )
        # An AWS managed policy needs no document; another ARN here would be a customer policy
        # IAM Identity Center never lists, judged by its document like every customer policy.
        return [
            ManagedAttachment(policy) if is_aws_managed_policy(policy) else ManagedAttachment(policy, None)
            for page in pages
            for policy in page
        ]

    def references(self, client: SsoAdminClient, instance: str, arn: str) -> list[tuple[str, str]]:
        """(path, name) of every customer managed policy reference of the permission set."""

        def read(page: Mapping[str, Any]) -> list[tuple[str, str]]:
            key = "CustomerManagedPolicyReferences"
            entries = _entries(page, key)
            names = _field(entries, key, "Name")
            paths = [entry.get("Path") for entry in entries]
            if not all(path is None or isinstance(path, str) for path in paths):
                raise _Shape(f"a Path in {key} is not a string")
            return [(reference_path(path), name) for path, name in zip(paths, names, strict=True)]

        method = client.list_customer_managed_policy_references_in_permission_set
        pages = self.pages(
            "ListCustomerManagedPolicyReferencesInPermissionSet",
            method,
            f"permission set {arn}",
            read,
            InstanceArn=instance,
            PermissionSetArn=arn,
        )
        return list(dict.fromkeys(reference for page in pages for reference in page))

    def reference_attachment(self, path: str, name: str) -> ManagedAttachment:
        """A customer managed policy reference as the policy of that path and name in this account."""
        policy_arn = f"arn:{self.iam.partition}:iam::{self.iam.account_id}:policy{path}{name}"
        if policy_arn not in self.iam.documents:
            missing = (
                f"the permission set refers to policy {path}{name}, which account {self.iam.account_id} (where "
                "the permission set is defined) does not have; it is judged on the AWSReservedSSO role of each "
                "account the permission set is provisioned to"
            )
            self.iam.documents[policy_arn] = self.iam.customer_document(policy_arn, if_missing=missing)
        return ManagedAttachment(policy_arn, self.iam.documents[policy_arn])

    def name(self, client: SsoAdminClient, instance: str, arn: str) -> str | None:
        def read(answer: Mapping[str, Any]) -> str:
            permission_set = answer.get("PermissionSet")
            name = permission_set.get("Name") if isinstance(permission_set, Mapping) else None
            if not isinstance(name, str) or not name:
                raise _Shape("PermissionSet.Name is not a string")
            return name

        try:
            return self.about_set("DescribePermissionSet", client.describe_permission_set, instance, arn, read)
        except _CallFailed as failed:
            self.notes.append(f"the name of permission set {arn} was not read: {failed.failure.reason}")
            return None

    def inline(self, client: SsoAdminClient, instance: str, arn: str) -> tuple[InlinePolicy, ...] | Unknown:
        def read(answer: Mapping[str, Any]) -> object:
            policy = answer.get("InlinePolicy")
            if policy is not None and not isinstance(policy, str | Mapping):
                raise _Shape(f"InlinePolicy is {type(policy).__name__}, not a JSON string")
            return policy

        try:
            method = client.get_inline_policy_for_permission_set
            policy = self.about_set("GetInlinePolicyForPermissionSet", method, instance, arn, read)
        except _CallFailed as failed:
            return Unknown(failed.failure.reason)
        if policy is None or (isinstance(policy, str) and not policy.strip()):
            return ()  # the API answers an empty string for a permission set without an inline policy
        return (InlinePolicy(INLINE_POLICY_NAME, parse_policy(policy)),)

    def accounts(self, client: SsoAdminClient, instance: str, arn: str) -> tuple[str, ...] | None:
        def read(page: Mapping[str, Any]) -> list[str]:
            return _strings(page, "AccountIds")

        try:
            method = client.list_accounts_for_provisioned_permission_set
            pages = self.pages(
                "ListAccountsForProvisionedPermissionSet",
                method,
                f"permission set {arn}",
                read,
                InstanceArn=instance,
                PermissionSetArn=arn,
            )
        except _CallFailed as failed:
            self.notes.append(f"the accounts of permission set {arn} were not listed: {failed.failure.reason}")
            return None
        return tuple(sorted({account for page in pages for account in page}))

    def permission_set(
        self, region: str, client: SsoAdminClient, instance: str, arn: str
    ) -> tuple[PermissionSet, PermissionSetDetails] | None:
        """The facts of one permission set, read in full only when it is (or may be) a support one."""
        short = arn.rsplit("/", 1)[-1]
        managed: list[ManagedAttachment] | Unknown
        try:
            managed = self.managed(client, instance, arn)
        except _CallFailed as failed:
            managed = Unknown(failed.failure.reason)
        references: list[tuple[str, str]] | Unknown | None = None
        if _customer_policies_may_support(self.config):
            try:
                references = self.references(client, instance, arn)
            except _CallFailed as failed:
                references = Unknown(failed.failure.reason)
        attachments = _attachments(managed, references, self)
        status = support_status(PermissionSet(short, short, arn, attachments), self.config)
        if status is False:
            return None
        name = self.name(client, instance, arn) or short
        if references is None:
            try:
                references = self.references(client, instance, arn)
            except _CallFailed as failed:
                references = Unknown(failed.failure.reason)
            attachments = _attachments(managed, references, self)
        if isinstance(status, Unknown):  # whether it is one is undecided: its verdicts will say so
            facts = PermissionSet(name, f"permission set {name}", arn, attachments)
            return facts, PermissionSetDetails(name, arn, region, instance)
        inline = self.inline(client, instance, arn)
        accounts = self.accounts(client, instance, arn)
        facts = PermissionSet(name, f"permission set {name}", arn, attachments, inline)
        return facts, PermissionSetDetails(name, arn, region, instance, accounts)


def _customer_policies_may_support(config: Config) -> bool:
    """Whether a customer managed policy can count as the support policy under ``config``: only when
    ``support_role_support_policies`` lists some, so that otherwise the customer references of a
    permission set without AWSSupportAccess are not read (one call saved per such set)."""
    return bool(config.support_policies)


def _attachments(
    managed: list[ManagedAttachment] | Unknown,
    references: list[tuple[str, str]] | Unknown | None,
    reader: _SsoReader,
) -> tuple[ManagedAttachment, ...] | Unknown:
    """The permission set's managed policies, customer references included once they are read.

    A listing that failed is kept as an Unknown attachment beside what was read, so that an
    AWSSupportAccess seen in the other listing still makes the set a support permission set.
    """
    items: list[ManagedAttachment] = []
    if isinstance(managed, Unknown):
        items.append(ManagedAttachment(managed))
    else:
        items.extend(managed)
    if isinstance(references, Unknown):
        items.append(ManagedAttachment(references))
    elif references is not None:
        items.extend(reader.reference_attachment(path, name) for path, name in references)
    return tuple(items)


def read_permission_sets(
    clients: Mapping[str, SsoAdminClient],
    iam: IamClient,
    account_id: str,
    partition: str,
    config: Config | None = None,
    page_size: int = PAGE_SIZE,
) -> IdentityCenterRead:
    """Every support permission set of the Identity Center instances the clients see, by region.

    ``clients`` maps a region to its SSO Admin client; ``iam`` is the same account's IAM client
    (customer managed policy documents). ``config`` decides which customer policies count as
    support policies. Never raises.
    """
    config = config or Config()
    iam_reader = _Reader(iam, partition, account_id, page_size, config.support_policies)
    reader = _SsoReader(iam_reader, config, page_size)
    unreadable: list[str] = []
    sets: list[PermissionSet] = []
    details: dict[str, PermissionSetDetails] = {}
    for region, client in sorted(clients.items()):
        try:
            instances = reader.instances(region, client)
        except _CallFailed as failed:
            unreadable.append(failed.failure.reason)
            continue
        for instance in instances:
            try:
                arns = reader.permission_set_arns(client, instance)
            except _CallFailed as failed:
                unreadable.append(failed.failure.reason)
                continue
            for arn in arns:
                found = reader.permission_set(region, client, instance, arn)
                if found is None:
                    continue
                facts, detail = found
                if facts.address in details:  # the same name in another instance or region
                    facts = replace(facts, address=f"{facts.address} ({arn})")
                sets.append(facts)
                details[facts.address] = detail
    return IdentityCenterRead(
        permission_sets=tuple(sets),
        details=details,
        unreadable=tuple(unreadable),
        failures=tuple(iam_reader.failures),
        notes=tuple(reader.notes),
        calls=tuple(iam_reader.calls),
    )

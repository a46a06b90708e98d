"""Read one live account's support-role facts through any IAM-API-shaped client.

The client is duck-typed: any object with the boto3 IAM client's methods (``list_entities_for_policy``,
``get_role``, ...) taking the API's keyword arguments and returning its response dicts. Errors are
recognised by their shape (``error.response["Error"]["Code"]``, as botocore's ``ClientError`` has),
so this module imports neither boto3 nor botocore and runs in every environment.

What it reads, and why the cost does not grow with the size of the account:

1. ``ListEntitiesForPolicy`` on ``arn:<partition>:iam::aws:policy/AWSSupportAccess`` with
   ``PolicyUsageFilter=PermissionsPolicy`` (all entity kinds, paginated, 1,000 per page): the support
   roles, and the users and groups that hold the policy instead. One call for any account with fewer
   than 1,000 holders.
2. For each support role only what the rules need: ``GetRole`` (trust policy, path, boundary, tags),
   ``ListAttachedRolePolicies``, ``ListRolePolicies`` and one ``GetRolePolicy`` per inline policy,
   ``GetPolicy`` + ``GetPolicyVersion`` once per distinct customer managed policy.
3. Only when no support role exists, to say what was found instead (the exists rule's extra codes):
   ``ListEntitiesForPolicy`` with ``PolicyUsageFilter=PermissionsBoundary`` (roles using the policy as
   a boundary), ``ListPolicies(Scope=Local, OnlyAttached=True)`` (customer look-alikes named
   AWSSupportAccess) and one ``ListEntitiesForPolicy`` per look-alike found.

So a support role with only AWSSupportAccess costs 3 calls, one with an inline policy 4, and the whole
read is ``1 + 3k + (inline policies) + 2 x (customer policies)`` calls for k support roles (3 calls, plus
one per look-alike, when k = 0): within ``3 + 4k`` whenever the roles hold on average at most one
inline policy and no customer managed policy, whatever the number of roles in the account.

A call that fails (AccessDenied, throttling that outlived the client's retries, NoSuchEntity because
the role was deleted between two calls, anything else) never raises: the fact it was meant to give
becomes :class:`~support_role.Unknown` with a reason naming the call, the error and the permission,
so the rules report UNKNOWN instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from .._arn import SUPPORT_POLICY_NAME, is_aws_managed_policy, support_policy_arn
from .._facts import Account, Document, ManagedAttachment, Role, Unknown
from .._policy import parse_policy
from .iam_api import role_from_api

PAGE_SIZE = 1000
_THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"})

# Every IAM action this module may call: the minimal read-only permissions of a scanning identity.
REQUIRED_ACTIONS: tuple[str, ...] = (
    "iam:ListEntitiesForPolicy",
    "iam:GetRole",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicies",
)


class IamClient(Protocol):
    """The part of a boto3 IAM client this module calls (keyword arguments as in the IAM API)."""

    def list_entities_for_policy(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def get_role(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def list_attached_role_policies(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def list_role_policies(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def get_role_policy(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def get_policy(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def get_policy_version(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def list_policies(self, **kwargs: Any) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Failure:
    """One call that did not answer: which, on what, the error code, and the permission it needs."""

    operation: str
    subject: str
    code: str
    message: str

    @property
    def permission(self) -> str:
        return f"iam:{self.operation}"

    @property
    def reason(self) -> str:
        if self.code in _DENIED:
            why = f"the scanning identity lacks {self.permission}"
        elif self.code in _THROTTLING:
            why = "throttled by AWS beyond the client's retries"
        elif self.code == "NoSuchEntity":
            why = "it no longer exists: deleted or changed while the account was being read"
        else:
            why = f"it needs {self.permission}"
        detail = f": {self.message}" if self.message else ""
        return f"{self.operation} on {self.subject} failed with {self.code} ({why}){detail}"


@dataclass(frozen=True)
class RoleDetails:
    """What a finding shows about a role beside the facts: its ARN and its tags."""

    name: str
    arn: str
    tags: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class AccountRead:
    """The facts of one account, with what could not be read and every call made."""

    account: Account
    roles: Mapping[str, RoleDetails] = field(default_factory=dict)
    failures: tuple[Failure, ...] = ()
    notes: tuple[str, ...] = ()  # reads that failed without changing any verdict
    calls: tuple[str, ...] = ()  # operation names, in order

    @property
    def listing_failed(self) -> bool:
        return bool(self.account.unreadable)


class _CallFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


def error_code(error: BaseException) -> tuple[str, str]:
    """(code, message) of an error shaped like botocore's ClientError; the class name otherwise."""
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        details = response.get("Error")
        if isinstance(details, Mapping) and details.get("Code"):
            return str(details["Code"]), str(details.get("Message") or "")
    return type(error).__name__, str(error)


class _Reader:
    def __init__(self, client: IamClient, partition: str, account_id: str, page_size: int) -> None:
        self.client = client
        self.partition = partition
        self.account_id = account_id
        self.page_size = page_size
        self.calls: list[str] = []
        self.failures: list[Failure] = []
        self.documents: dict[str, Document] = {}

    def call(self, operation: str, method: Callable[..., Mapping[str, Any]], subject: str, **kwargs: Any) -> Any:
        self.calls.append(operation)
        try:
            return method(**kwargs)
        except Exception as error:  # every failure becomes an Unknown fact, never an exception
            code, message = error_code(error)
            failure = Failure(operation, subject, code, message)
            self.failures.append(failure)
            raise _CallFailed(failure) from None

    def pages(
        self, operation: str, method: Callable[..., Mapping[str, Any]], subject: str, **kwargs: Any
    ) -> Iterator[Mapping[str, Any]]:
        marker: str | None = None
        seen: set[str] = set()
        while True:
            extra = {"Marker": marker} if marker else {}
            page = self.call(operation, method, subject, MaxItems=self.page_size, **kwargs, **extra)
            yield page
            marker = page.get("Marker") if page.get("IsTruncated") else None
            if not marker or marker in seen:  # a marker seen twice would loop forever
                return
            seen.add(marker)

    def entities(self, policy_arn: str, **filters: str) -> tuple[list[str], list[str], list[str], Failure | None]:
        """Roles, users and groups holding a policy; what was listed before a failing page is kept."""
        roles: list[str] = []
        users: list[str] = []
        groups: list[str] = []
        method = self.client.list_entities_for_policy
        try:
            for page in self.pages("ListEntitiesForPolicy", method, policy_arn, PolicyArn=policy_arn, **filters):
                roles += [str(r["RoleName"]) for r in page.get("PolicyRoles") or () if r.get("RoleName")]
                users += [str(u["UserName"]) for u in page.get("PolicyUsers") or () if u.get("UserName")]
                groups += [str(g["GroupName"]) for g in page.get("PolicyGroups") or () if g.get("GroupName")]
        except _CallFailed as failed:
            return _unique(roles), _unique(users), _unique(groups), failed.failure
        return _unique(roles), _unique(users), _unique(groups), None

    def role_arn(self, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:role/{name}"

    def support_role(self, name: str) -> tuple[Role, RoleDetails]:
        """A role the listing named as holding AWSSupportAccess, read call by call."""
        subject = f"role {name}"
        support = ManagedAttachment(support_policy_arn(self.partition))
        trust_reason: str | None = None
        try:
            api_role = dict(self.call("GetRole", self.client.get_role, subject, RoleName=name)["Role"])
        except _CallFailed as failed:
            trust_reason = failed.failure.reason
            api_role = {"RoleName": name, "Arn": self.role_arn(name)}
            if failed.failure.code == "NoSuchEntity":  # gone: the other calls would fail the same way
                gone = Unknown(trust_reason)
                role = role_from_api(api_role, [], {}, {})
                role = replace(role, trust=gone, managed=(support, ManagedAttachment(gone)), inline=gone)
                return role, RoleDetails(name, self.role_arn(name))
        attached: Sequence[Mapping[str, object]] | None
        attached_unknown: Unknown | None = None
        try:
            attached = []
            method = self.client.list_attached_role_policies
            for page in self.pages("ListAttachedRolePolicies", method, subject, RoleName=name):
                attached += [dict(p) for p in page.get("AttachedPolicies") or ()]
        except _CallFailed as failed:
            attached, attached_unknown = None, Unknown(failed.failure.reason)
        inline: dict[str, object] | Unknown
        try:
            names: list[str] = []
            for page in self.pages("ListRolePolicies", self.client.list_role_policies, subject, RoleName=name):
                names += [str(n) for n in page.get("PolicyNames") or ()]
            inline = {policy: self.inline_document(name, policy) for policy in _unique(names)}
        except _CallFailed as failed:
            inline = Unknown(failed.failure.reason)
        for entry in attached or ():
            arn = entry.get("PolicyArn")
            if isinstance(arn, str) and not is_aws_managed_policy(arn) and arn not in self.documents:
                self.documents[arn] = self.customer_document(arn)
        role = role_from_api(api_role, attached if attached is not None else [], inline, self.documents)
        if attached_unknown is not None:
            # The listing proved the role holds AWSSupportAccess; only its other attachments are unknown.
            role = replace(role, managed=(support, ManagedAttachment(attached_unknown)))
        if trust_reason is not None:
            role = replace(role, trust=Unknown(trust_reason))
        tags = tuple(dict(t) for t in api_role.get("Tags") or () if isinstance(t, Mapping))
        arn = api_role.get("Arn")
        return role, RoleDetails(name, arn if isinstance(arn, str) else self.role_arn(name), tags)

    def inline_document(self, role: str, policy: str) -> object:
        subject = f"inline policy {policy} of role {role}"
        try:
            answer = self.call("GetRolePolicy", self.client.get_role_policy, subject, RoleName=role, PolicyName=policy)
        except _CallFailed as failed:
            return Unknown(failed.failure.reason)
        return answer.get("PolicyDocument")

    def customer_document(self, arn: str) -> Document:
        try:
            policy = self.call("GetPolicy", self.client.get_policy, arn, PolicyArn=arn)["Policy"]
            version = policy.get("DefaultVersionId")
            if not version:
                return Unknown(f"GetPolicy on {arn} returned no default version")
            answer = self.call(
                "GetPolicyVersion", self.client.get_policy_version, arn, PolicyArn=arn, VersionId=version
            )
        except _CallFailed as failed:
            return Unknown(failed.failure.reason)
        return parse_policy(answer.get("PolicyVersion", {}).get("Document"))

    def hints(self, support_arn: str) -> tuple[list[Role], list[str]]:
        """Roles that look like support roles but are not: boundary use, a look-alike policy."""
        look_alikes: dict[str, list[str]] = {}
        notes: list[str] = []
        found = self.entities(support_arn, PolicyUsageFilter="PermissionsBoundary", EntityFilter="Role")
        boundaries, failure = found[0], found[3]
        if failure is not None:
            notes.append(
                f"roles using {SUPPORT_POLICY_NAME} as a permissions boundary were not all listed: {failure.reason}"
            )
        policies: list[str] = []
        try:
            method = self.client.list_policies
            for page in self.pages("ListPolicies", method, "the account", Scope="Local", OnlyAttached=True):
                policies += [
                    str(p["Arn"])
                    for p in page.get("Policies") or ()
                    if p.get("PolicyName") == SUPPORT_POLICY_NAME and p.get("Arn")
                ]
        except _CallFailed as failed:
            notes.append(f"customer managed policies named {SUPPORT_POLICY_NAME} were not looked for: {failed}")
        for arn in policies:
            holders, _, _, failure = self.entities(arn, PolicyUsageFilter="PermissionsPolicy", EntityFilter="Role")
            if failure is not None:
                notes.append(f"the roles holding {arn} were not all listed: {failure.reason}")
            for name in holders:
                look_alikes.setdefault(name, []).append(arn)
        roles: list[Role] = []
        unread = Unknown("not read: a look-alike policy is never AWSSupportAccess")
        for name in _unique([*boundaries, *look_alikes]):
            api_role: dict[str, object] = {"RoleName": name, "Arn": self.role_arn(name)}
            if name in boundaries:
                api_role["PermissionsBoundary"] = {"PermissionsBoundaryArn": support_arn}
            held = look_alikes.get(name, [])
            roles.append(role_from_api(api_role, [{"PolicyArn": a} for a in held], {}, dict.fromkeys(held, unread)))
        return roles, notes


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def read_account(client: IamClient, account_id: str, partition: str, page_size: int = PAGE_SIZE) -> AccountRead:
    """Every fact the four rules need about one account, read through ``client``."""
    reader = _Reader(client, partition, account_id, page_size)
    address = f"account {account_id}"
    support_arn = support_policy_arn(partition)
    role_names, users, groups, failure = reader.entities(support_arn, PolicyUsageFilter="PermissionsPolicy")
    unreadable = (failure.reason,) if failure is not None else ()
    roles: list[Role] = []
    details: dict[str, RoleDetails] = {}
    for name in role_names:
        role, detail = reader.support_role(name)
        roles.append(role)
        details[name] = detail
    notes: list[str] = []
    if not role_names and failure is None:
        extra, notes = reader.hints(support_arn)
        roles += extra
        details.update({r.name: RoleDetails(r.name, r.arn or reader.role_arn(r.name)) for r in extra})
    account = Account(
        address=address,
        roles=tuple(roles),
        support_users=tuple(sorted(users)),
        support_groups=tuple(sorted(groups)),
        unreadable=unreadable,
        account_id=account_id,
        partition=partition,
    )
    return AccountRead(account, details, tuple(reader.failures), tuple(notes), tuple(reader.calls))

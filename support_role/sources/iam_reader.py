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
   AWSSupportAccess, and the candidates of the ``custom-support-policy`` hint), one
   ``ListEntitiesForPolicy`` per look-alike found, one ``GetPolicyVersion`` (the default version the
   listing names) per attached customer policy, at most :data:`MAX_HINT_POLICIES` of them, and one
   ``ListEntitiesForPolicy`` (roles) per such policy that grants support permissions.
4. With ``support_role_support_policies`` (the listed customer policies count as the support policy):
   ``ListPolicies(Scope=Local, OnlyAttached=True)`` once when a policy is listed by name (to find its
   ARN, whatever its path), and one ``ListEntitiesForPolicy`` (roles, permissions policy) per listed
   policy, like AWSSupportAccess. A listed policy's own document is not read: it counts as the
   support policy and least privilege does not judge it.

So a support role with only AWSSupportAccess costs 3 calls, one with an inline policy 4, and the whole
read is ``1 + 3k + (inline policies) + 2 x (customer policies)`` calls for k support roles (3 calls, plus
one per look-alike, when k = 0): within ``3 + 4k`` whenever the roles hold on average at most one
inline policy and no customer managed policy, whatever the number of roles in the account. Listed
custom support policies add ``c`` calls (``c + 1`` when one is named without its ARN). When no support
role exists, the hints add ``P + S`` calls for P attached customer policies (at most 100) of which S
grant support permissions: a cost paid only by accounts that fail the control.

A call that fails (AccessDenied, throttling that outlived the client's retries, NoSuchEntity because
the role was deleted between two calls, an answer without the IAM API's shape, a truncated page
without a usable marker, anything else) never raises: the fact it was meant to give
becomes :class:`~support_role.Unknown` with a reason naming the call, the error and the permission,
so the rules report UNKNOWN instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn, Protocol, TypeVar

from .._arn import SUPPORT_POLICY_NAME, is_aws_managed_policy, support_policy_arn
from .._config import policy_listed
from .._facts import Account, Document, ManagedAttachment, Role, Unknown
from .._policy import parse_policy
from .._rules import grants_support
from .iam_api import role_from_api

PAGE_SIZE = 1000
MAX_HINT_POLICIES = 100  # customer policies read for the custom-support-policy hint, at most
_T = TypeVar("_T")


def _as_is(answer: Mapping[str, Any]) -> Mapping[str, Any]:
    return answer


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
_API_NAMES = {"iam": "IAM", "sso": "SSO Admin"}
# The code of a failure whose answer did not have the IAM API's shape (a client that is not botocore).
MALFORMED = "MalformedResponse"

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
    """One call that did not answer: which, on what, the error code, and the permission it needs.

    ``service`` is the IAM service prefix of the permission: ``iam``, or ``sso`` for the SSO Admin
    API of IAM Identity Center.
    """

    operation: str
    subject: str
    code: str
    message: str
    service: str = "iam"

    @property
    def permission(self) -> str:
        return f"{self.service}:{self.operation}"

    @property
    def reason(self) -> str:
        if self.code in _DENIED:
            why = f"the scanning identity lacks {self.permission}"
        elif self.code in _THROTTLING:
            why = "throttled by AWS beyond the client's retries"
        elif self.code == "NoSuchEntity":
            why = "it no longer exists: deleted or changed while the account was being read"
        elif self.code == MALFORMED:
            why = f"the answer does not have the {_API_NAMES.get(self.service, self.service)} API's shape"
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


class _CallFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


class _Shape(Exception):
    """Internal: an answer that does not have the shape the IAM API gives it."""


def _object(answer: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = answer.get(key)
    if not isinstance(value, Mapping):
        raise _Shape(f"{key} is {type(value).__name__}, not an object")
    return value


def _entries(answer: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = answer.get(key)
    if value is None:  # botocore leaves out an empty list
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise _Shape(f"{key} is not a list of objects")
    return value


def _names(answer: Mapping[str, Any], key: str, field_name: str) -> list[str]:
    names = [entry.get(field_name) for entry in _entries(answer, key)]
    if not all(isinstance(name, str) and name for name in names):
        raise _Shape(f"a {field_name} in {key} is not a string")
    return [str(name) for name in names]


def _strings(answer: Mapping[str, Any], key: str) -> list[str]:
    value = answer.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise _Shape(f"{key} is not a list of strings")
    return value


def _next_marker(page: Mapping[str, Any]) -> str | None:
    """The marker of the next page; a page that says there is more must give one."""
    truncated = page.get("IsTruncated")
    if truncated is None or truncated is False:
        return None
    marker = page.get("Marker")
    if truncated is not True or not isinstance(marker, str) or not marker:
        raise _Shape(f"IsTruncated is {truncated!r} with Marker {marker!r}: the rest of the list cannot be asked for")
    return marker


def error_code(error: BaseException) -> tuple[str, str]:
    """(code, message) of an error shaped like botocore's ClientError; the class name otherwise."""
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        details = response.get("Error")
        if isinstance(details, Mapping) and details.get("Code"):
            return str(details["Code"]), str(details.get("Message") or "")
    return type(error).__name__, str(error)


class _Reader:
    def __init__(
        self, client: IamClient, partition: str, account_id: str, page_size: int, support_policies: frozenset[str]
    ) -> None:
        self.client = client
        self.partition = partition
        self.account_id = account_id
        self.page_size = page_size
        self.support_policies = support_policies
        self.local_policies: list[Mapping[str, Any]] | None = None  # ListPolicies(Local, OnlyAttached), once
        self.calls: list[str] = []
        self.failures: list[Failure] = []
        self.documents: dict[str, Document] = {}

    def fail(self, operation: str, subject: str, code: str, message: str, service: str = "iam") -> NoReturn:
        failure = Failure(operation, subject, code, message, service)
        self.failures.append(failure)
        raise _CallFailed(failure)

    def call(
        self,
        operation: str,
        method: Callable[..., Mapping[str, Any]],
        subject: str,
        read: Callable[[Mapping[str, Any]], _T] = _as_is,  # type: ignore[assignment]
        service: str = "iam",
        **kwargs: Any,
    ) -> _T:
        """The answer of one call as ``read`` takes it apart; a failure or a wrong shape raises _CallFailed.

        ``service`` is the permission prefix a failure names; ``kwargs`` are the API's parameters.
        """
        self.calls.append(operation)
        try:
            answer = method(**kwargs)
        except Exception as error:  # every failure becomes an Unknown fact, never an exception
            code, message = error_code(error)
            self.fail(operation, subject, code, message, service)
        try:
            if not isinstance(answer, Mapping):
                raise _Shape(f"the answer is {type(answer).__name__}, not an object")
            return read(answer)
        except (_Shape, LookupError, TypeError, AttributeError, ValueError) as error:
            self.fail(operation, subject, MALFORMED, str(error), service)

    def token_pages(
        self,
        operation: str,
        method: Callable[..., Mapping[str, Any]],
        subject: str,
        read: Callable[[Mapping[str, Any]], _T],
        service: str,
        page_size: int,
        **kwargs: Any,
    ) -> Iterator[_T]:
        """Pages of an API paginated with ``NextToken``/``MaxResults`` (the SSO Admin API's way)."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            extra = {"NextToken": token} if token else {}

            def page_of(answer: Mapping[str, Any]) -> tuple[_T, str | None]:
                following = answer.get("NextToken")
                if following is not None and not isinstance(following, str):
                    raise _Shape(f"NextToken is {type(following).__name__}, not a string")
                return read(answer), following or None

            item, token = self.call(
                operation, method, subject, page_of, service, MaxResults=page_size, **kwargs, **extra
            )
            yield item
            if token is None:
                return
            if token in seen:  # a token seen twice would loop forever, and the rest is never listed
                self.fail(operation, subject, MALFORMED, f"the NextToken {token!r} came back twice", service)
            seen.add(token)

    def pages(
        self,
        operation: str,
        method: Callable[..., Mapping[str, Any]],
        subject: str,
        read: Callable[[Mapping[str, Any]], _T],
        **kwargs: Any,
    ) -> Iterator[_T]:
        marker: str | None = None
        seen: set[str] = set()
        while True:
            extra = {"Marker": marker} if marker else {}

            def page_of(answer: Mapping[str, Any]) -> tuple[_T, str | None]:
                return read(answer), _next_marker(answer)

            item, marker = self.call(operation, method, subject, page_of, MaxItems=self.page_size, **kwargs, **extra)
            yield item
            if marker is None:
                return
            if marker in seen:  # a marker seen twice would loop forever, and the rest is never listed
                self.fail(operation, subject, MALFORMED, f"the marker {marker!r} came back twice")
            seen.add(marker)

    def entities(self, policy_arn: str, **filters: str) -> tuple[list[str], list[str], list[str], Failure | None]:
        """Roles, users and groups holding a policy; what was listed before a failing page is kept."""
        roles: list[str] = []
        users: list[str] = []
        groups: list[str] = []
        method = self.client.list_entities_for_policy

        def read(page: Mapping[str, Any]) -> tuple[list[str], list[str], list[str]]:
            return (
                _names(page, "PolicyRoles", "RoleName"),
                _names(page, "PolicyUsers", "UserName"),
                _names(page, "PolicyGroups", "GroupName"),
            )

        try:
            for page in self.pages("ListEntitiesForPolicy", method, policy_arn, read, PolicyArn=policy_arn, **filters):
                roles += page[0]
                users += page[1]
                groups += page[2]
        except _CallFailed as failed:
            return _unique(roles), _unique(users), _unique(groups), failed.failure
        return _unique(roles), _unique(users), _unique(groups), None

    def role_arn(self, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:role/{name}"

    def support_role(self, name: str, held: Sequence[str] = ()) -> tuple[Role, RoleDetails]:
        """A role a listing named as holding a support policy (``held``: their ARNs; AWSSupportAccess
        when empty), read call by call."""
        subject = f"role {name}"
        proven = tuple(ManagedAttachment(arn) for arn in held) or (
            ManagedAttachment(support_policy_arn(self.partition)),
        )
        trust_reason: str | None = None
        try:
            api_role = dict(
                self.call("GetRole", self.client.get_role, subject, lambda a: _object(a, "Role"), RoleName=name)
            )
        except _CallFailed as failed:
            trust_reason = failed.failure.reason
            api_role = {"RoleName": name, "Arn": self.role_arn(name)}
            if failed.failure.code == "NoSuchEntity":  # gone: the other calls would fail the same way
                gone = Unknown(trust_reason)
                role = role_from_api(api_role, [], {}, {})
                role = replace(role, trust=gone, managed=(*proven, ManagedAttachment(gone)), inline=gone)
                return role, RoleDetails(name, self.role_arn(name))
        attached: Sequence[Mapping[str, object]] | None
        attached_unknown: Unknown | None = None
        try:
            attached = []
            method = self.client.list_attached_role_policies

            def read_attached(page: Mapping[str, Any]) -> list[dict[str, Any]]:
                entries = _entries(page, "AttachedPolicies")
                if not all(isinstance(p.get("PolicyArn"), str) for p in entries):
                    raise _Shape("a PolicyArn in AttachedPolicies is not a string")
                return [dict(p) for p in entries]

            for entries in self.pages("ListAttachedRolePolicies", method, subject, read_attached, RoleName=name):
                attached += entries
        except _CallFailed as failed:
            attached, attached_unknown = None, Unknown(failed.failure.reason)
        inline: dict[str, object] | Unknown
        try:
            names: list[str] = []
            method = self.client.list_role_policies
            for page_names in self.pages(
                "ListRolePolicies", method, subject, lambda page: _strings(page, "PolicyNames"), RoleName=name
            ):
                names += page_names
            inline = {policy: self.inline_document(name, policy) for policy in _unique(names)}
        except _CallFailed as failed:
            inline = Unknown(failed.failure.reason)
        for entry in attached or ():
            arn = entry.get("PolicyArn")
            if isinstance(arn, str) and not is_aws_managed_policy(arn) and arn not in self.documents:
                if policy_listed(self.support_policies, arn):
                    # counts as the support policy: no rule reads its document
                    self.documents[arn] = Unknown("a listed support policy's document is not read")
                else:
                    self.documents[arn] = self.customer_document(arn)
        role = role_from_api(api_role, attached if attached is not None else [], inline, self.documents)
        if attached_unknown is not None:
            # The listing proved the role holds its support policy; only its other attachments are unknown.
            role = replace(role, managed=(*proven, ManagedAttachment(attached_unknown)))
        if trust_reason is not None:
            role = replace(role, trust=Unknown(trust_reason))
        raw_tags = api_role.get("Tags")  # tags only decorate a finding: odd ones are left out, not failed
        tags = tuple(dict(t) for t in raw_tags if isinstance(t, Mapping)) if isinstance(raw_tags, list) else ()
        arn = api_role.get("Arn")
        return role, RoleDetails(name, arn if isinstance(arn, str) else self.role_arn(name), tags)

    def inline_document(self, role: str, policy: str) -> object:
        subject = f"inline policy {policy} of role {role}"
        try:
            method = self.client.get_role_policy
            return self.call(
                "GetRolePolicy", method, subject, lambda a: a.get("PolicyDocument"), RoleName=role, PolicyName=policy
            )
        except _CallFailed as failed:
            return Unknown(failed.failure.reason)

    def customer_document(self, arn: str, if_missing: str | None = None) -> Document:
        """The default version's document of a customer managed policy; Unknown when not read.

        ``if_missing`` is the reason to give when the policy does not exist (NoSuchEntity), for
        callers to whom that means something else than a policy deleted while being read.
        """
        try:
            policy = self.call("GetPolicy", self.client.get_policy, arn, lambda a: _object(a, "Policy"), PolicyArn=arn)
            version = policy.get("DefaultVersionId")
            if not version or not isinstance(version, str):
                return Unknown(f"GetPolicy on {arn} returned no default version")
            method = self.client.get_policy_version
            document = self.call(
                "GetPolicyVersion",
                method,
                arn,
                lambda a: _object(a, "PolicyVersion").get("Document"),
                PolicyArn=arn,
                VersionId=version,
            )
        except _CallFailed as failed:
            if if_missing is not None and failed.failure.code == "NoSuchEntity":
                return Unknown(if_missing)
            return Unknown(failed.failure.reason)
        return parse_policy(document)

    def local_attached_policies(self) -> list[Mapping[str, Any]]:
        """``ListPolicies(Scope=Local, OnlyAttached=True)`` entries, listed once; raises _CallFailed."""
        if self.local_policies is None:
            entries: list[Mapping[str, Any]] = []
            method = self.client.list_policies

            def policies_of(page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
                found = _entries(page, "Policies")
                # A malformed answer is a failed call, even where the entry is not used.
                if not all(isinstance(p.get(k), str) and p.get(k) for p in found for k in ("PolicyName", "Arn")):
                    raise _Shape("a PolicyName or Arn in Policies is not a string")
                return found

            for page in self.pages(
                "ListPolicies", method, "the account", policies_of, Scope="Local", OnlyAttached=True
            ):
                entries += page
            self.local_policies = entries
        return self.local_policies

    def custom_support_roles(self) -> tuple[dict[str, list[str]], list[str]]:
        """Roles holding a listed custom support policy ({role: [policy ARNs]}) and what failed.

        Each failure is a reason naming the call: the exists rule cannot rule out a support role.
        """
        holders: dict[str, list[str]] = {}
        unreadable: list[str] = []
        # A customer managed policy can only be attached in its own account: listed ARNs of another
        # account or partition (one configuration for many accounts) hold nothing here.
        own = f"arn:{self.partition}:iam::{self.account_id}:policy/"
        arns = [p for p in sorted(self.support_policies) if p.startswith(own)]
        names = {p for p in self.support_policies if not p.startswith("arn:")}
        if names:
            try:
                arns += [str(p["Arn"]) for p in self.local_attached_policies() if p["PolicyName"] in names]
            except _CallFailed as failed:
                unreadable.append(f"the listed support policies {', '.join(sorted(names))} were not found: {failed}")
        for arn in _unique(arns):
            roles, _, _, failure = self.entities(arn, PolicyUsageFilter="PermissionsPolicy", EntityFilter="Role")
            if failure is not None and failure.code != "NoSuchEntity":  # a listed policy absent here holds nothing
                unreadable.append(failure.reason)
            for name in roles:
                holders.setdefault(name, []).append(arn)
        return holders, unreadable

    def hints(self, support_arn: str) -> tuple[list[Role], list[str]]:
        """Roles that look like support roles but are not: boundary use, a look-alike policy, a
        customer policy with support permissions."""
        look_alikes: dict[str, list[str]] = {}
        notes: list[str] = []
        found = self.entities(support_arn, PolicyUsageFilter="PermissionsBoundary", EntityFilter="Role")
        boundaries, failure = found[0], found[3]
        if failure is not None:
            notes.append(
                f"roles using {SUPPORT_POLICY_NAME} as a permissions boundary were not all listed: {failure.reason}"
            )
        try:
            local = self.local_attached_policies()
        except _CallFailed as failed:
            local = []
            notes.append(
                f"customer managed policies named {SUPPORT_POLICY_NAME} or with support permissions were not "
                f"looked for: {failed}"
            )
        for arn in [str(p["Arn"]) for p in local if p["PolicyName"] == SUPPORT_POLICY_NAME]:
            holders, _, _, failure = self.entities(arn, PolicyUsageFilter="PermissionsPolicy", EntityFilter="Role")
            if failure is not None:
                notes.append(f"the roles holding {arn} were not all listed: {failure.reason}")
            for name in holders:
                look_alikes.setdefault(name, []).append(arn)
        custom, custom_documents = self.custom_hints(
            [p for p in local if p["PolicyName"] != SUPPORT_POLICY_NAME], notes
        )
        roles: list[Role] = []
        unread = Unknown("not read: a look-alike policy is never AWSSupportAccess")
        for name in _unique([*boundaries, *look_alikes, *custom]):
            api_role: dict[str, object] = {"RoleName": name, "Arn": self.role_arn(name)}
            if name in boundaries:
                api_role["PermissionsBoundary"] = {"PermissionsBoundaryArn": support_arn}
            held = look_alikes.get(name, []) + custom.get(name, [])
            documents: dict[str, Document] = {**dict.fromkeys(look_alikes.get(name, []), unread), **custom_documents}
            roles.append(role_from_api(api_role, [{"PolicyArn": a} for a in held], {}, documents))
        return roles, notes

    def custom_hints(
        self, policies: Sequence[Mapping[str, Any]], notes: list[str]
    ) -> tuple[dict[str, list[str]], dict[str, Document]]:
        """Roles holding a customer policy that grants support permissions ({role: [ARNs]}), with the
        documents read. Reads at most MAX_HINT_POLICIES documents; failures only become notes (no
        support role is certain whatever they would have said)."""
        holders: dict[str, list[str]] = {}
        documents: dict[str, Document] = {}
        if len(policies) > MAX_HINT_POLICIES:
            notes.append(
                f"only {MAX_HINT_POLICIES} of the {len(policies)} attached customer managed policies were looked at "
                "for support permissions"
            )
        for entry in policies[:MAX_HINT_POLICIES]:
            arn = str(entry["Arn"])
            version = entry.get("DefaultVersionId")
            if not isinstance(version, str) or not version:
                notes.append(f"ListPolicies gave no default version for {arn}: not looked at for support permissions")
                continue
            try:
                raw = self.call(
                    "GetPolicyVersion",
                    self.client.get_policy_version,
                    arn,
                    lambda a: _object(a, "PolicyVersion").get("Document"),
                    PolicyArn=arn,
                    VersionId=version,
                )
            except _CallFailed as failed:
                notes.append(f"{arn} was not looked at for support permissions: {failed}")
                continue
            document = parse_policy(raw)
            if not grants_support(document):
                continue
            documents[arn] = document
            roles, _, _, failure = self.entities(arn, PolicyUsageFilter="PermissionsPolicy", EntityFilter="Role")
            if failure is not None:
                notes.append(f"the roles holding {arn} were not all listed: {failure.reason}")
            for name in roles:
                holders.setdefault(name, []).append(arn)
        return holders, documents


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def read_account(
    client: IamClient,
    account_id: str,
    partition: str,
    page_size: int = PAGE_SIZE,
    support_policies: Collection[str] = (),
) -> AccountRead:
    """Every fact the four rules need about one account, read through ``client``.

    ``support_policies`` are the customer policies (names or ARNs) of ``support_role_support_policies``:
    the roles holding them are read as support roles too.
    """
    reader = _Reader(client, partition, account_id, page_size, frozenset(support_policies))
    address = f"account {account_id}"
    support_arn = support_policy_arn(partition)
    role_names, users, groups, failure = reader.entities(support_arn, PolicyUsageFilter="PermissionsPolicy")
    unreadable = [failure.reason] if failure is not None else []
    held: dict[str, list[str]] = {name: [support_arn] for name in role_names}
    if reader.support_policies:
        custom, custom_unreadable = reader.custom_support_roles()
        unreadable += custom_unreadable
        for name, arns in custom.items():
            held.setdefault(name, []).extend(arns)
    roles: list[Role] = []
    details: dict[str, RoleDetails] = {}
    for name, arns in held.items():
        role, detail = reader.support_role(name, arns)
        roles.append(role)
        details[name] = detail
    notes: list[str] = []
    if not held and not unreadable:
        extra, notes = reader.hints(support_arn)
        roles += extra
        details.update({r.name: RoleDetails(r.name, r.arn or reader.role_arn(r.name)) for r in extra})
    account = Account(
        address=address,
        roles=tuple(roles),
        support_users=tuple(sorted(users)),
        support_groups=tuple(sorted(groups)),
        unreadable=tuple(unreadable),
        account_id=account_id,
        partition=partition,
    )
    return AccountRead(account, details, tuple(reader.failures), tuple(notes), tuple(reader.calls))

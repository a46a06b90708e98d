"""moto whose IAM ``ListEntitiesForPolicy`` answers the way IAM does; needs moto installed.

moto 5.2's implementation looks at only the first 100 roles (ordered by random role ID, so which
roles it sees is random once an account has more), ignores ``PolicyUsageFilter`` (a role using a
policy as its permissions boundary is never listed; asked for boundary use it returns the
attachments instead) and never paginates. The replacement here reads every user, role and group,
honours ``EntityFilter``, ``PathPrefix``, ``PolicyUsageFilter``, ``MaxItems`` and ``Marker``. A
second patch makes in-process moto put GovCloud IAM calls in the aws-us-gov partition (it reads
the region "us-gov" from iam.us-gov.amazonaws.com and falls back to the aws partition). A third
adds to moto's SSO Admin what the AWS provider for Terraform calls on ``aws_ssoadmin_*`` resources
and moto 5.2.5 (the newest release) lacks, so that ``terraform apply`` creates permission sets (see
:func:`install_sso_admin`).

Two uses, and nothing else imports this module (the rest of the package never imports moto):

* in-process, around moto's ``mock_aws``: ``with patched_moto(): ...``;
* as a server: ``python -m support_role.localaws.moto_iam -H 127.0.0.1 -p PORT`` takes
  ``moto_server``'s arguments (``support_role.localaws.moto_iam_command`` builds it for
  :class:`~support_role.localaws.MotoServer`). With ``$MOTO_IAM_CALL_LOG`` set to a file, the
  server appends ``<service> <Action>`` to it for every call it answers (the benchmarks count
  calls that way).

As a server it answers one request at a time (:func:`serialize_requests`). moto's backends are
plain dictionaries without locks and its server runs each request in a thread of its own: when one
request lists the roles while another adds one, moto answers 500 (``RuntimeError: dictionary
changed size during iteration``). Clients retry such answers with growing back-off, and the AWS
provider wraps CreateRole in a two-minute retry loop that, once that time has passed, calls
CreateRole one more time whatever the first call became: on a busy machine the first call
succeeds late, the extra call meets the role it made, and ``terraform apply`` fails with
``EntityAlreadyExists`` for a role the configuration declares once. Served one at a time, no
request fails, so nothing is retried (``tests/e2e/test_harness.py`` proves it with 16 clients).
A request can still wait long enough behind the others for the client to give up and send it again;
such a retry of a call that changes the account (a create, an attach, a put...) gets its first
attempt's answer (:func:`replay_retried_writes`).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.responses import ActionResult, BaseResponse
from moto.iam.responses import IamResponse
from moto.ssoadmin.responses import SSOAdminResponse

CALL_LOG_ENV = "MOTO_IAM_CALL_LOG"
_ORIGINAL = IamResponse.list_entities_for_policy
_ORIGINAL_REGION = IamResponse.get_region_from_url


def _faithful_list_entities_for_policy(self: IamResponse) -> ActionResult:
    entity = self._get_param("EntityFilter")
    if entity in ("LocalManagedPolicy", "AWSManagedPolicy"):  # not used by anyone here: keep moto's answer
        return _ORIGINAL(self)
    policy_arn = self._get_param("PolicyArn")
    path_prefix = self._get_param("PathPrefix") or "/"
    usage = self._get_param("PolicyUsageFilter")
    marker = int(self._get_param("Marker") or 0)
    max_items = int(self._get_param("MaxItems") or 100)
    backend = self.backend

    def attached(item: Any) -> bool:
        return bool(policy_arn in item.managed_policies)

    def boundary(item: Any) -> bool:
        return bool(getattr(item, "permissions_boundary_arn", None) == policy_arn)

    wanted: Callable[[Any], bool]
    if usage == "PermissionsPolicy":
        wanted = attached
    elif usage == "PermissionsBoundary":
        wanted = boundary
    else:
        wanted = lambda item: attached(item) or boundary(item)  # noqa: E731

    def matching(items: Any) -> Iterator[Any]:
        for item in sorted(items, key=lambda i: i.name):
            if (item.path or "/").startswith(path_prefix) and wanted(item):
                yield item

    entries: list[tuple[str, Any]] = []
    if entity in (None, "", "User"):
        entries += [("PolicyUsers", u) for u in matching(backend.users.values())]
    if entity in (None, "", "Role"):
        entries += [("PolicyRoles", r) for r in matching(backend.roles.values())]
    if entity in (None, "", "Group"):
        entries += [("PolicyGroups", g) for g in matching(backend.groups.values())]
    page = entries[marker : marker + max_items]
    result: dict[str, Any] = {"PolicyUsers": [], "PolicyRoles": [], "PolicyGroups": []}
    for key, item in page:
        result[key].append(item)
    truncated = marker + max_items < len(entries)
    result["IsTruncated"] = truncated
    if truncated:
        result["Marker"] = str(marker + max_items)
    return ActionResult(result)


def _iam_region_from_url(self: IamResponse, request: Any, full_url: str) -> str:
    # In-process (mock_aws) the GovCloud IAM endpoint iam.us-gov.amazonaws.com reads as region
    # "us-gov", which moto maps to the aws partition; a moto server sees the signing region instead.
    region = str(_ORIGINAL_REGION(self, request, full_url))
    return "us-gov-west-1" if region == "us-gov" else region


# Regions where AWS offers IAM Identity Center (Prowler 5.46's region table, service
# "identity-center") but moto 5.2's SSO Admin backend does not exist (botocore's endpoint data in the
# scanners' environments lacks them): a call there raises inside moto and the server answers 500.
# Our per-role checks ask Identity Center in every audited region, so an account scanned in all
# regions needs the backend everywhere. tests/prowler/test_moto_harness.py keeps this list whole.
SSO_ADMIN_REGIONS_MOTO_LACKS = ["ap-east-2", "ap-southeast-6", "eusc-de-east-1"]


# ------------------------------------------------------------------ SSO Admin: what moto lacks
# moto 5.2.5's SSO Admin has no ListTagsForResource, TagResource, UntagResource,
# DescribePermissionSetProvisioningStatus, nor any permissions boundary operation. The AWS provider
# reads a permission set's tags after creating it, waits for the provisioning of every attachment
# through DescribePermissionSetProvisioningStatus and manages boundaries through the three boundary
# operations; moto answers each with a server error, which the provider retries until it times out.
# These answer them from state kept beside moto's backend (one per account and region, emptied by a
# reset with it). Two answers of moto are made as Identity Center gives them: an account assignment
# provisions its permission set to the account, and ProvisionPermissionSet to
# ALL_PROVISIONED_ACCOUNTS reaches only the accounts the set is provisioned to (moto provisions to
# the caller's account whatever the target, so after an apply every set with an attachment would
# look provisioned). Identity Center's other effect of an assignment, the AWSReservedSSO_* role in
# the account, is not made here (support_role.localaws.seed_identity_center_roles).
_SSO_STATE = "_cis_support_role_state"


def _sso_state(response: Any) -> dict[str, dict[Any, Any]]:
    backend = response.ssoadmin_backend
    state: dict[str, dict[Any, Any]] | None = getattr(backend, _SSO_STATE, None)
    if state is None:
        state = {"tags": {}, "boundaries": {}, "provisioning": {}}
        setattr(backend, _SSO_STATE, state)
    return state


def _sso_params(response: Any) -> dict[str, Any]:
    body = json.loads(response.body or "{}")
    return body if isinstance(body, dict) else {}


def _sso_error(error_type: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    error: Exception = JsonRESTError(error_type, message)  # answered as a 400 with this error type
    return error


def _permission_set(response: Any, instance_arn: object, permission_set_arn: object) -> Any:
    """moto's permission set of that instance and ARN, else ResourceNotFoundException."""
    for candidate in response.ssoadmin_backend.permission_sets:
        if candidate.instance_arn == instance_arn and candidate.permission_set_arn == permission_set_arn:
            return candidate
    raise _sso_error("ResourceNotFoundException", f"Could not find PermissionSet {permission_set_arn}")


def _instance(response: Any, instance_arn: object) -> Any:
    for candidate in response.ssoadmin_backend.instances:
        if candidate.instance_arn == instance_arn:
            return candidate
    raise _sso_error("ResourceNotFoundException", f"Could not find Instance {instance_arn}")


def _tags_of(response: Any, params: dict[str, Any]) -> dict[str, str]:
    """The tags of a permission set (seeded from those it was created with) or of the instance."""
    instance, resource = params.get("InstanceArn"), params.get("ResourceArn")
    tags = _sso_state(response)["tags"]
    if resource not in tags:
        if resource == instance:
            _instance(response, instance)
            tags[resource] = {}
        else:
            created = _permission_set(response, instance, resource).tags or []
            tags[resource] = {str(t["Key"]): str(t.get("Value", "")) for t in created}
    return dict(tags[resource])


def _sso_list_tags_for_resource(self: Any) -> str:
    params = _sso_params(self)
    tags = _tags_of(self, params)
    return json.dumps({"Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]})


def _sso_tag_resource(self: Any) -> str:
    params = _sso_params(self)
    tags = _tags_of(self, params)
    tags.update({str(t["Key"]): str(t.get("Value", "")) for t in params.get("Tags") or []})
    _sso_state(self)["tags"][params.get("ResourceArn")] = tags
    return "{}"


def _sso_untag_resource(self: Any) -> str:
    params = _sso_params(self)
    tags = _tags_of(self, params)
    for key in params.get("TagKeys") or []:
        tags.pop(str(key), None)
    _sso_state(self)["tags"][params.get("ResourceArn")] = tags
    return "{}"


def _sso_put_permissions_boundary_to_permission_set(self: Any) -> str:
    params = _sso_params(self)
    permission_set = _permission_set(self, params.get("InstanceArn"), params.get("PermissionSetArn"))
    boundary = params.get("PermissionsBoundary")
    kinds = {"CustomerManagedPolicyReference", "ManagedPolicyArn"} & set(boundary or {})
    if not isinstance(boundary, dict) or len(kinds) != 1:
        raise _sso_error(
            "ValidationException",
            "PermissionsBoundary takes exactly one of CustomerManagedPolicyReference and ManagedPolicyArn",
        )
    _sso_state(self)["boundaries"][permission_set.permission_set_arn] = {k: boundary[k] for k in kinds}
    return "{}"


def _sso_get_permissions_boundary_for_permission_set(self: Any) -> str:
    params = _sso_params(self)
    permission_set = _permission_set(self, params.get("InstanceArn"), params.get("PermissionSetArn"))
    boundary = _sso_state(self)["boundaries"].get(permission_set.permission_set_arn)
    if boundary is None:
        raise _sso_error("ResourceNotFoundException", "The permission set has no permissions boundary")
    return json.dumps({"PermissionsBoundary": boundary})


def _sso_delete_permissions_boundary_from_permission_set(self: Any) -> str:
    params = _sso_params(self)
    permission_set = _permission_set(self, params.get("InstanceArn"), params.get("PermissionSetArn"))
    if _sso_state(self)["boundaries"].pop(permission_set.permission_set_arn, None) is None:
        raise _sso_error("ResourceNotFoundException", "The permission set has no permissions boundary")
    return "{}"


def _provision(instance: Any, permission_set: Any) -> None:
    if permission_set not in instance.provisioned_permission_sets:
        instance.provisioned_permission_sets.append(permission_set)


def _sso_provision_permission_set(self: Any) -> str:
    params = _sso_params(self)
    instance = _instance(self, params.get("InstanceArn"))
    permission_set = _permission_set(self, params.get("InstanceArn"), params.get("PermissionSetArn"))
    target = params.get("TargetType")
    if target == "AWS_ACCOUNT":
        if params.get("TargetId") == self.current_account:  # moto's one account; another is not simulated
            _provision(instance, permission_set)
    elif target != "ALL_PROVISIONED_ACCOUNTS":
        raise _sso_error("ValidationException", f"TargetType {target!r} is not AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS")
    status = {
        "Status": "SUCCEEDED",
        "RequestId": str(uuid.uuid4()),
        "PermissionSetArn": permission_set.permission_set_arn,
        "CreatedDate": time.time(),
    }
    if target == "AWS_ACCOUNT":
        status["AccountId"] = params.get("TargetId")
    _sso_state(self)["provisioning"][status["RequestId"]] = status
    return json.dumps({"PermissionSetProvisioningStatus": status})


def _sso_describe_permission_set_provisioning_status(self: Any) -> str:
    params = _sso_params(self)
    _instance(self, params.get("InstanceArn"))
    status = _sso_state(self)["provisioning"].get(params.get("ProvisionPermissionSetRequestId"))
    if status is None:
        raise _sso_error("ResourceNotFoundException", "No provisioning request with that ID")
    return json.dumps({"PermissionSetProvisioningStatus": status})


def _sso_create_account_assignment(self: Any) -> Any:
    params = _sso_params(self)
    instance = _instance(self, params.get("InstanceArn"))  # checked before moto records the assignment
    permission_set = _permission_set(self, params.get("InstanceArn"), params.get("PermissionSetArn"))
    answer = _ORIGINAL_CREATE_ASSIGNMENT(self)
    if params.get("TargetType") == "AWS_ACCOUNT" and params.get("TargetId") == self.current_account:
        _provision(instance, permission_set)
    return answer


_SSO_ADDED: dict[str, Callable[[Any], str]] = {
    "list_tags_for_resource": _sso_list_tags_for_resource,
    "tag_resource": _sso_tag_resource,
    "untag_resource": _sso_untag_resource,
    "put_permissions_boundary_to_permission_set": _sso_put_permissions_boundary_to_permission_set,
    "get_permissions_boundary_for_permission_set": _sso_get_permissions_boundary_for_permission_set,
    "delete_permissions_boundary_from_permission_set": _sso_delete_permissions_boundary_from_permission_set,
    "describe_permission_set_provisioning_status": _sso_describe_permission_set_provisioning_status,
}
_ORIGINAL_CREATE_ASSIGNMENT = SSOAdminResponse.create_account_assignment
_ORIGINAL_PROVISION = SSOAdminResponse.provision_permission_set


def install_sso_admin() -> None:
    """The SSO Admin operations above, on moto's SSO Admin responses (server and in-process)."""
    missing = [name for name in _SSO_ADDED if name in vars(SSOAdminResponse)]
    if missing:  # a newer moto answers them itself: use its answers, not ours
        raise RuntimeError(f"moto's SSO Admin now has {', '.join(missing)}: remove them from moto_iam._SSO_ADDED")
    for name, method in _SSO_ADDED.items():
        setattr(SSOAdminResponse, name, method)
    SSOAdminResponse.create_account_assignment = _sso_create_account_assignment  # type: ignore[method-assign]
    SSOAdminResponse.provision_permission_set = _sso_provision_permission_set  # type: ignore[method-assign]


def uninstall_sso_admin() -> None:
    for name in _SSO_ADDED:
        if name in vars(SSOAdminResponse):
            delattr(SSOAdminResponse, name)
    SSOAdminResponse.create_account_assignment = _ORIGINAL_CREATE_ASSIGNMENT  # type: ignore[method-assign]
    SSOAdminResponse.provision_permission_set = _ORIGINAL_PROVISION  # type: ignore[method-assign]


def install() -> None:
    from moto.ssoadmin.models import ssoadmin_backends

    IamResponse.list_entities_for_policy = _faithful_list_entities_for_policy  # type: ignore[method-assign]
    IamResponse.get_region_from_url = _iam_region_from_url  # type: ignore[method-assign,assignment]
    ssoadmin_backends._additional_regions = list(SSO_ADMIN_REGIONS_MOTO_LACKS)
    install_sso_admin()


def uninstall() -> None:
    from moto.ssoadmin.models import ssoadmin_backends

    IamResponse.list_entities_for_policy = _ORIGINAL  # type: ignore[method-assign]
    IamResponse.get_region_from_url = _ORIGINAL_REGION  # type: ignore[method-assign]
    ssoadmin_backends._additional_regions = None
    uninstall_sso_admin()


@contextmanager
def patched_moto() -> Iterator[None]:
    """The patches installed for the duration of a block (in-process moto, ``mock_aws``)."""
    install()
    try:
        yield
    finally:
        uninstall()


def install_call_log(path: str) -> None:
    """Append "<service> <Action>" to ``path`` for every API call the server answers."""
    original = BaseResponse.call_action
    lock = threading.Lock()

    def call_action(self: BaseResponse) -> Any:
        with lock, open(path, "a", encoding="utf-8") as log:
            log.write(f"{self.service_name} {self._get_action()}\n")
        return original(self)

    BaseResponse.call_action = call_action  # type: ignore[method-assign]


class FairLock:
    """A re-entrant lock that lets waiting threads in the order they came (first come, first served).

    ``threading.RLock`` promises no order: with a dozen requests always waiting (``terraform apply``
    keeps ten in flight) one of them can lose every race for minutes on a busy machine, and a client
    that gives up on it sends its create again. Here a thread's wait is bounded by the requests that
    came before it."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> FairLock:
        me = threading.get_ident()
        with self._condition:
            if self._owner == me:
                self._depth += 1
                return self
            ticket = self._next_ticket
            self._next_ticket += 1
            while self._serving != ticket:
                self._condition.wait()
            self._owner, self._depth = me, 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._condition:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._serving += 1
                self._condition.notify_all()

    def waiting(self) -> int:
        """Threads holding a ticket that is not yet served (the holder not counted)."""
        with self._condition:
            return self._next_ticket - self._serving - (1 if self._owner is not None else 0)


def serialize_requests() -> None:
    """Answer one request at a time, in the order they came: every backend read and write under one
    :class:`FairLock`."""
    original = BaseResponse._dispatch
    lock = FairLock()

    def dispatch(self: BaseResponse, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    BaseResponse._dispatch = dispatch  # type: ignore[method-assign]


INVOCATION_HEADER = "amz-sdk-invocation-id"
_REPLAYED_MAX = 50_000


READ_ACTION_PREFIXES = ("List", "Get", "Describe")
"""Actions that only read: a retry of one is answered afresh (the same answer, or a newer one)."""


def replay_retried_writes() -> None:
    """Answer a retried call that changes the account with the answer its first attempt got.

    AWS SDKs (Go v2, which the Terraform AWS provider uses, and botocore) send the same
    ``amz-sdk-invocation-id`` header with every attempt of one call. On a busy machine a request can
    wait behind others (the server answers one at a time) long enough for the client to give up on
    it and send it again. The first attempt then does its work and the retry meets what it did: a
    create gets ``EntityAlreadyExists`` for a role the configuration declares once, and an
    ``AttachManagedPolicyToPermissionSet`` or ``AttachCustomerManagedPolicyReferenceToPermissionSet``
    gets moto's ``ConflictException`` ("already attached"), which the AWS provider takes for an
    operation in progress and retries until its timeout. So any call that is not a read (its action
    does not start with one of :data:`READ_ACTION_PREFIXES`) whose invocation id already got a
    success is a retry of that call, not a second one: it gets the first answer again (what the
    client would have read had it waited) and a line on stderr. A call without the header (our own
    IAM client, which sends each call once) is answered as AWS does.
    """
    original = BaseResponse.call_action
    answered: dict[str, Any] = {}

    def call_action(self: BaseResponse) -> Any:
        action = self._get_action() or ""
        invocation = None if action.startswith(READ_ACTION_PREFIXES) else self.headers.get(INVOCATION_HEADER)
        if invocation is not None:
            key = f"{self.service_name} {self.current_account} {action} {invocation}"
            if key in answered:
                print(
                    f"moto_iam: {action} retried by the client (invocation {invocation}): first answer replayed",
                    file=sys.stderr,
                    flush=True,
                )
                return answered[key]
        result = original(self)
        if invocation is not None and 200 <= int(result[0]) < 300:
            if len(answered) >= _REPLAYED_MAX:
                answered.clear()
            answered[key] = result
        return result

    BaseResponse.call_action = call_action  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    """``moto_server`` with the patches installed (same arguments), one request at a time."""
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    from moto.server import main as moto_server

    install()
    serialize_requests()
    replay_retried_writes()
    if os.environ.get(CALL_LOG_ENV):
        install_call_log(os.environ[CALL_LOG_ENV])
    moto_server(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""moto whose IAM ``ListEntitiesForPolicy`` answers the way IAM does; needs moto installed.

moto 5.2's implementation looks at only the first 100 roles (ordered by random role ID, so which
roles it sees is random once an account has more), ignores ``PolicyUsageFilter`` (a role using a
policy as its permissions boundary is never listed; asked for boundary use it returns the
attachments instead) and never paginates. The replacement here reads every user, role and group,
honours ``EntityFilter``, ``PathPrefix``, ``PolicyUsageFilter``, ``MaxItems`` and ``Marker``. A
second patch makes in-process moto put GovCloud IAM calls in the aws-us-gov partition (it reads
the region "us-gov" from iam.us-gov.amazonaws.com and falls back to the aws partition).

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
such a retry of a create gets its first attempt's answer (:func:`replay_retried_creates`).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.responses import ActionResult, BaseResponse
from moto.iam.responses import IamResponse

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


def install() -> None:
    from moto.ssoadmin.models import ssoadmin_backends

    IamResponse.list_entities_for_policy = _faithful_list_entities_for_policy  # type: ignore[method-assign]
    IamResponse.get_region_from_url = _iam_region_from_url  # type: ignore[method-assign,assignment]
    ssoadmin_backends._additional_regions = list(SSO_ADMIN_REGIONS_MOTO_LACKS)


def uninstall() -> None:
    from moto.ssoadmin.models import ssoadmin_backends

    IamResponse.list_entities_for_policy = _ORIGINAL  # type: ignore[method-assign]
    IamResponse.get_region_from_url = _ORIGINAL_REGION  # type: ignore[method-assign]
    ssoadmin_backends._additional_regions = None


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


def replay_retried_creates() -> None:
    """Answer a retried ``Create*`` call with the answer its first attempt got.

    AWS SDKs (Go v2, which the Terraform AWS provider uses, and botocore) send the same
    ``amz-sdk-invocation-id`` header with every attempt of one call. On a busy machine a request can
    wait behind others (the server answers one at a time) long enough for the client to give up on
    it and send it again: the first attempt then creates the entity and the retry meets it
    (``EntityAlreadyExists`` for a role the configuration declares once). A ``Create*`` call whose
    invocation id already got a success is a retry of that call, not a second create: it gets the
    first answer again (what the client would have read had it waited) and a line on stderr. A call
    without the header (our own IAM client, which sends each call once) is answered as AWS does.
    """
    original = BaseResponse.call_action
    answered: dict[str, Any] = {}

    def call_action(self: BaseResponse) -> Any:
        action = self._get_action() or ""
        invocation = self.headers.get(INVOCATION_HEADER) if action.startswith("Create") else None
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
    replay_retried_creates()
    if os.environ.get(CALL_LOG_ENV):
        install_call_log(os.environ[CALL_LOG_ENV])
    moto_server(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""moto as the tests, the benchmark and the demo use it: a faithful ListEntitiesForPolicy and a server.

A faithful ``ListEntitiesForPolicy`` for moto, installed by the harness only.

moto 5.2's implementation looks at only the first 100 roles (ordered by random role ID, so which
roles it sees is random once an account has more), ignores ``PolicyUsageFilter`` (a role using a
policy as its permissions boundary is never listed; asked for boundary use it returns the
attachments instead) and never paginates. This replacement reads every user, role and group,
honours ``EntityFilter``, ``PathPrefix``, ``PolicyUsageFilter``, ``MaxItems`` and ``Marker``, and
answers the way IAM does. A second patch makes in-process moto put GovCloud IAM calls in the
aws-us-gov partition (it reads the region "us-gov" from iam.us-gov.amazonaws.com and falls back to
the aws partition). Nothing in the product imports this module.

Run as a script it is ``moto_server`` with the patch installed (same arguments), and
:func:`moto_server` starts and stops such a server on 127.0.0.1 for a test or a benchmark:

    MOTO_IAM_LOAD_MANAGED_POLICIES=true python tests/prowler/moto_harness.py -H 127.0.0.1 -p 5000
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from moto.core.responses import ActionResult
from moto.iam.responses import IamResponse

_ORIGINAL = IamResponse.list_entities_for_policy
HERE = Path(__file__).resolve()


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
        return policy_arn in item.managed_policies

    def boundary(item: Any) -> bool:
        return getattr(item, "permissions_boundary_arn", None) == policy_arn

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


_ORIGINAL_REGION = IamResponse.get_region_from_url


def _iam_region_from_url(self: IamResponse, request: Any, full_url: str) -> str:
    # In-process (mock_aws) the GovCloud IAM endpoint iam.us-gov.amazonaws.com reads as region
    # "us-gov", which moto maps to the aws partition; a moto server sees the signing region instead.
    region = _ORIGINAL_REGION(self, request, full_url)
    return "us-gov-west-1" if region == "us-gov" else region


# Regions where AWS offers IAM Identity Center (Prowler's region table) but moto 5.2's SSO Admin
# backend does not exist: a call there raises inside moto. Our per-role checks ask Identity Center
# in every audited region, so an account of these partitions needs the backend to exist.
SSO_ADMIN_REGIONS_MOTO_LACKS = ["eusc-de-east-1"]


def install() -> None:
    from moto.ssoadmin.models import ssoadmin_backends

    IamResponse.list_entities_for_policy = _faithful_list_entities_for_policy  # type: ignore[method-assign]
    IamResponse.get_region_from_url = _iam_region_from_url  # type: ignore[method-assign]
    ssoadmin_backends._additional_regions = list(SSO_ADMIN_REGIONS_MOTO_LACKS)


def uninstall() -> None:
    from moto.ssoadmin.models import ssoadmin_backends

    IamResponse.list_entities_for_policy = _ORIGINAL  # type: ignore[method-assign]
    IamResponse.get_region_from_url = _ORIGINAL_REGION  # type: ignore[method-assign]
    ssoadmin_backends._additional_regions = None


@contextmanager
def patched_moto() -> Iterator[None]:
    """The harness patches installed for the duration of a block (in-process moto)."""
    install()
    try:
        yield
    finally:
        uninstall()


CALL_LOG_ENV = "MOTO_HARNESS_CALL_LOG"


def install_call_log(path: str) -> None:
    """Append "<service> <Action>" to ``path`` for every API call the server answers (benchmarks)."""
    import threading

    from moto.core.responses import BaseResponse

    original = BaseResponse.call_action
    lock = threading.Lock()

    def call_action(self: BaseResponse) -> Any:
        with lock, open(path, "a", encoding="utf-8") as log:
            log.write(f"{self.service_name} {self._get_action()}\n")
        return original(self)

    BaseResponse.call_action = call_action  # type: ignore[method-assign]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server(
    account_id: str | None = None, env: Mapping[str, str] | None = None, call_log: Path | None = None
) -> Iterator[str]:
    """A patched moto server on 127.0.0.1 (AWS managed policies loaded); yields its endpoint URL.

    ``account_id`` becomes the account every request lands in (``MOTO_ACCOUNT_ID``); with
    ``call_log`` the server appends one line per API call it answers to that file.
    """
    port = free_port()
    server_env = {**os.environ, **(env or {}), "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    if account_id:
        server_env["MOTO_ACCOUNT_ID"] = account_id
    if call_log is not None:
        server_env[CALL_LOG_ENV] = str(call_log)
    process = subprocess.Popen(
        [sys.executable, str(HERE), "-H", "127.0.0.1", "-p", str(port)],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server on port {port} did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    from moto.server import main

    install()
    if os.environ.get(CALL_LOG_ENV):
        install_call_log(os.environ[CALL_LOG_ENV])
    sys.exit(main(sys.argv[1:]))

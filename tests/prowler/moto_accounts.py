"""One moto server holding many accounts, for the many-accounts tests and benchmark.

The server is :class:`support_role.localaws.MotoServer` running this module, which is the tests' moto
server (:mod:`support_role.localaws.moto_iam`: IAM's own ``ListEntitiesForPolicy``, one request at a
time) with two more patches, in this server only (nothing in the product imports this module):

* moto's AssumeRole succeeds for any role ARN, existing or not; AWS refuses a role that does not exist
  (AccessDenied), which is how a scan meets an account whose audit role was never deployed. Here
  AssumeRole answers AccessDenied unless the role exists in the target account's IAM.
* with ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` every account parses and holds all ~1,300 AWS managed
  policies (about 31 MB and 10+ s per account here), so a few hundred accounts do not fit. This server
  loads only the managed policies of :data:`MANAGED_POLICIES`, which is all the scenarios attach.

moto puts a request in the account of the role its credentials came from: ``AssumeRole`` into
``arn:aws:iam::<account>:role/<name>`` answers credentials that act in ``<account>``. Seeding writes into
an account directly with moto's ``x-moto-account-id`` header (:func:`account_client`).

    python -m tests.prowler.moto_accounts -H 127.0.0.1 -p PORT     (from the repository root)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from support_role.localaws import FAKE_CREDENTIALS, MotoServer, region_for

ROOT = Path(__file__).resolve().parents[2]
MANAGED_POLICIES = ("AWSSupportAccess", "AdministratorAccess", "ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess")


def accounts_server(python: str | None = None) -> MotoServer:
    """The many-accounts server (not started: use it as a context manager), run by ``python`` (an
    interpreter with moto and this package; default this one)."""
    command = [python or sys.executable, "-m", "tests.prowler.moto_accounts"]
    return MotoServer(command, env={"PYTHONPATH": str(ROOT)})


def account_client(server: MotoServer, service: str, account: str, partition: str = "aws") -> Any:
    """A boto3 client whose every call lands in ``account`` (moto's ``x-moto-account-id`` header): for seeding."""
    import boto3

    client = boto3.client(
        service,
        endpoint_url=server.url,
        region_name=region_for(partition),
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )

    def to_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    client.meta.events.register(f"before-send.{service}.*", to_account)
    return client


def install() -> None:
    """Patch moto in this process: AssumeRole only into existing roles, a few managed policies per account."""
    from moto.iam import models as iam_models
    from moto.iam.models import AWSManagedPolicy, IAMBackend, iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.responses import TokenResponse

    wanted = {
        name: data
        for name, data in json.loads(iam_models.aws_managed_policies_data).items()
        if name in MANAGED_POLICIES
    }

    def _init_aws_policies(self: IAMBackend) -> list[Any]:
        return [AWSManagedPolicy.from_data(name, self.account_id, self.region_name, d) for name, d in wanted.items()]

    original_assume_role = TokenResponse.assume_role

    def assume_role(self: TokenResponse) -> Any:
        role_arn = str(self._get_param("RoleArn") or "")
        parts = role_arn.split(":")
        exists = False
        if len(parts) == 6 and parts[4] in iam_backends:
            backend = iam_backends[parts[4]][parts[1]]
            exists = any(role.arn == role_arn for role in backend.roles.values())
        if not exists:
            raise STSClientError("AccessDenied", f"not authorized to perform: sts:AssumeRole on resource: {role_arn}")
        return original_assume_role(self)

    IAMBackend._init_aws_policies = _init_aws_policies  # type: ignore[method-assign]
    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]


if __name__ == "__main__":
    from support_role.localaws import moto_iam

    # MotoServer fixes one account (MOTO_ACCOUNT_ID), which moto puts before the account of the caller's
    # credentials and before x-moto-account-id: this server must take the account from each request
    os.environ.pop("MOTO_ACCOUNT_ID", None)
    install()
    sys.exit(moto_iam.main(sys.argv[1:]))

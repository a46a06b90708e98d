"""A simulated AWS account on this machine: one moto server lifecycle and what talks to it.

Used alike by the doctor (``python -m support_role doctor``), the tests, the demo and the
benchmarks, so that starting, reaching, filling and stopping a moto server is written once:

* :class:`MotoServer`: a ``moto_server`` (or any command taking its ``-H``/``-p`` options) on
  127.0.0.1 and a free port, one account (``MOTO_ACCOUNT_ID``), AWS managed policies loaded, its
  IAM backend created before it is handed out, always stopped (context manager);
* :data:`FAKE_CREDENTIALS`, :func:`region_for` (one region per partition: moto derives the
  partition of a request from the region it is signed for) and :meth:`MotoServer.client_env`, the
  environment that points an AWS SDK or CLI at the server and at nothing of the machine's own;
* :class:`IamQueryClient`: the IAM Query API over plain HTTP (standard library only), with
  boto3's method names for the calls :func:`seed_scenario` makes, so the doctor and any
  environment without boto3 can create an account;
* :func:`seed_scenario`: create what a corpus scenario describes through any IAM client (boto3's
  or :class:`IamQueryClient`); :func:`seed_permission_sets` (a boto3 ``sso-admin`` client) and
  :func:`seed_identity_center_roles` (IAM) its IAM Identity Center permission sets and the roles
  Identity Center makes from them;
* :func:`moto_iam_command`: the command of a moto server whose ``ListEntitiesForPolicy`` answers
  the way IAM does (:mod:`support_role.localaws.moto_iam`, which needs moto installed);
* :class:`Terraform`, :func:`provider_block`, :func:`terraform_cli`: a Terraform root module run
  offline from the provider mirror, applied to such a server (the demo and the end-to-end tests).

Nothing here imports boto3, moto or a scanner (only the commands run in Prowler's environment do:
``moto_iam`` imports moto, ``sso_seed`` boto3, and nothing imports either); the package is safe to
import anywhere.
"""

from .._arn import REGION_OF_PARTITION
from ._iam import IamError, IamQueryClient, IamWriter, seed_filler_roles, seed_scenario
from ._identity_center import SsoAdminWriter, seed_identity_center_roles, seed_permission_sets
from ._server import (
    DEFAULT_ACCOUNT,
    FAKE_CREDENTIALS,
    MotoServer,
    MotoServerError,
    free_port,
    moto_iam_command,
    region_for,
)
from ._terraform import (
    AWS_PROVIDER_VERSION,
    CommandResult,
    Terraform,
    TerraformMissing,
    offline_provider_files,
    provider_block,
    provider_mirror,
    required_providers,
    run_command,
    terraform_cli,
)

__all__ = [
    "AWS_PROVIDER_VERSION",
    "DEFAULT_ACCOUNT",
    "FAKE_CREDENTIALS",
    "REGION_OF_PARTITION",
    "CommandResult",
    "IamError",
    "IamQueryClient",
    "IamWriter",
    "MotoServer",
    "MotoServerError",
    "SsoAdminWriter",
    "Terraform",
    "TerraformMissing",
    "free_port",
    "moto_iam_command",
    "offline_provider_files",
    "provider_block",
    "provider_mirror",
    "region_for",
    "required_providers",
    "run_command",
    "seed_filler_roles",
    "seed_identity_center_roles",
    "seed_permission_sets",
    "seed_scenario",
    "terraform_cli",
]

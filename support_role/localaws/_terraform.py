"""Terraform against a local account: the AWS provider block, the offline provider mirror, a runner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._server import FAKE_CREDENTIALS, region_for

AWS_PROVIDER_VERSION = "5.100.0"
MIRROR_ENV = "CIS_SUPPORT_ROLE_TF_MIRROR"


class TerraformMissing(RuntimeError):
    """terraform or the AWS provider in the offline mirror is missing; the message says which."""


def provider_mirror() -> Path:
    """The filesystem mirror holding the hashicorp/aws provider (``$CIS_SUPPORT_ROLE_TF_MIRROR``,
    default ``/opt/tf-plugins``)."""
    return Path(os.environ.get(MIRROR_ENV, "/opt/tf-plugins"))


def terraform_cli() -> Path:
    """The terraform binary, when it is on the PATH and the provider mirror holds the hashicorp/aws
    provider this project pins; else :class:`TerraformMissing` saying what is absent."""
    found = shutil.which("terraform")
    if not found:
        raise TerraformMissing("terraform is not on the PATH")
    provider = provider_mirror() / "registry.terraform.io" / "hashicorp" / "aws" / AWS_PROVIDER_VERSION
    if not provider.is_dir():
        raise TerraformMissing(
            f"the hashicorp/aws {AWS_PROVIDER_VERSION} provider is not in the mirror {provider.parents[2]}"
        )
    return Path(found)


def required_providers(version: str = AWS_PROVIDER_VERSION) -> str:
    """The ``terraform`` block pinning the AWS provider."""
    return (
        "terraform {\n  required_providers {\n    aws = {\n"
        f'      source  = "hashicorp/aws"\n      version = "{version}"\n'
        "    }\n  }\n}\n"
    )


def provider_block(partition: str = "aws", *, endpoint: str | None = None) -> str:
    """A ``provider "aws"`` block that never reaches AWS: fake credentials, no account lookups, the
    region of ``partition`` (``data.aws_partition`` reports that partition).

    With ``endpoint`` (a moto server on loopback) IAM and STS calls go there; without it only
    ``terraform plan`` works (the resources rendered here read nothing from AWS while planning).
    The text without ``endpoint`` is part of the digest of every committed plan JSON: changing it
    makes them all stale.
    """
    body = (
        'provider "aws" {\n'
        f'  region                      = "{region_for(partition)}"\n'
        '  access_key                  = "AKIAIOSFODNN7EXAMPLE"\n'
        '  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'
        "  skip_credentials_validation = true\n"
        "  skip_requesting_account_id  = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_region_validation      = true\n"
    )
    if endpoint:
        body += f'  endpoints {{\n    iam = "{endpoint}"\n    sts = "{endpoint}"\n  }}\n'
    return body + "}\n"


def offline_provider_files(partition: str = "aws") -> dict[str, str]:
    """The extra file that lets ``terraform plan`` run offline on a root module."""
    return {"providers.tf": required_providers() + "\n" + provider_block(partition)}


def mirror_cli_config(mirror: Path) -> str:
    """A Terraform CLI configuration that installs providers from ``mirror`` only."""
    return (
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["registry.terraform.io/*/*"]\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n"
    )


@dataclass
class CommandResult:
    """A finished command: what ran, how it ended, what it said, how long it took."""

    args: Sequence[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        tail = (self.stderr or self.stdout)[-3000:]
        return f"{' '.join(map(str, self.args))} exited {self.returncode} after {self.seconds:.1f}s:\n{tail}"


def run_command(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
    check: bool = True,
) -> CommandResult:
    """Run a command to its end, output captured; with ``check``, RuntimeError (its output's tail)
    when it exits non-zero."""
    started = time.monotonic()
    completed = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    result = CommandResult(
        [str(a) for a in args], completed.returncode, completed.stdout, completed.stderr, time.monotonic() - started
    )
    if check and completed.returncode != 0:
        raise RuntimeError(result.describe())
    return result


@dataclass
class Terraform:
    """One Terraform root module directory: providers from the mirror when it has them (else from
    the registry), no version check, no AWS settings of the machine (the module's provider block
    says everything). :class:`TerraformMissing` when terraform is not on the PATH.

    ``extra_env`` is added to every command; ``timings`` adds up the seconds of each step.
    """

    directory: Path
    mirror: Path = field(default_factory=provider_mirror)
    extra_env: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        found = shutil.which("terraform")
        if not found:
            raise TerraformMissing("terraform is not on the PATH")
        self.binary = Path(found)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.cli_config: Path | None = None
        if (self.mirror / "registry.terraform.io").is_dir():
            self.cli_config = self.directory.parent / f".{self.directory.name}.tfrc"
            self.cli_config.write_text(mirror_cli_config(self.mirror), encoding="utf-8")

    def env(self, **extra: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        if self.cli_config is not None:
            keep["TF_CLI_CONFIG_FILE"] = str(self.cli_config)
        return {
            **keep,
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",  # no version check over the network
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            **FAKE_CREDENTIALS,  # never a real key, whatever the module's provider block says
            **self.extra_env,
            **extra,
        }

    def _run(self, step: str, *args: str, env: Mapping[str, str] | None = None) -> CommandResult:
        result = run_command([self.binary, *args], cwd=self.directory, env=self.env(**(env or {})), check=False)
        self.timings[step] = self.timings.get(step, 0.0) + result.seconds
        if result.returncode != 0:
            raise RuntimeError(f"terraform {step} failed in {self.directory}: {result.describe()}")
        return result

    def write(self, files: Mapping[str, str]) -> None:
        """Write files (path relative to the root module -> text) into the root module."""
        for relative, text in files.items():
            path = self.directory / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def init(self) -> None:
        self._run("init", "init", "-input=false", "-no-color")

    def plan(self, out: str = "tf.plan") -> Path:
        self._run("plan", "plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", f"-out={out}")
        return self.directory / out

    def show_json(self, plan: Path, *, reattach: str | None = None) -> dict[str, object]:
        """``terraform show -json`` of a plan; with ``reattach`` (``TF_REATTACH_PROVIDERS`` of a
        provider started once in debug mode) the provider is not loaded again for it."""
        reattached = {"TF_REATTACH_PROVIDERS": reattach} if reattach else None
        result = self._run("show", "show", "-json", "-no-color", plan.name, env=reattached)
        data = json.loads(result.stdout)
        if not isinstance(data, dict):
            raise RuntimeError(f"terraform show -json printed {type(data).__name__}, not an object")
        return data

    def apply(self, plan: Path | None = None) -> CommandResult:
        if plan is not None:
            return self._run("apply", "apply", "-input=false", "-no-color", plan.name)
        return self._run("apply", "apply", "-input=false", "-no-color", "-auto-approve")

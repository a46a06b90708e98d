"""End-to-end machinery: a local moto server, a Terraform working directory, the scanner CLIs.

Runs in the base environment and drives the scanner environments through subprocess (Checkov and
Prowler cannot share a virtualenv). ``scripts/envs.sh`` exports where their tools are; without it
the repository's ``.venvs`` folder is used.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENVS = Path(os.environ.get("CIS_SUPPORT_ROLE_VENVS", ROOT / ".venvs"))
TF_MIRROR = Path(os.environ.get("CIS_SUPPORT_ROLE_TF_MIRROR", "/opt/tf-plugins"))
AWS_PROVIDER_VERSION = "5.100.0"
MOTO_HARNESS = ROOT / "tests" / "prowler" / "moto_harness.py"

# moto derives the partition from the region a request is signed for.
REGION_OF_PARTITION: dict[str, str] = {
    "aws": "us-east-1",
    "aws-cn": "cn-north-1",
    "aws-us-gov": "us-gov-west-1",
    "aws-iso": "us-iso-east-1",
    "aws-iso-b": "us-isob-east-1",
    "aws-eusc": "eusc-de-east-1",
}


class ToolMissing(RuntimeError):
    """A tool the end-to-end tests need is not installed; the message says which and how to get it."""


def _tool(env_var: str, fallback: Path) -> Path:
    value = os.environ.get(env_var)
    path = Path(value) if value else fallback
    if not path.exists():
        raise ToolMissing(f"{path} not found (set {env_var} or run: bash -c 'source scripts/envs.sh; ensure_all_envs')")
    return path


def checkov_cli() -> Path:
    return _tool("CIS_SUPPORT_ROLE_CHECKOV", VENVS / "checkov" / "bin" / "checkov")


def checkov_python() -> Path:
    return _tool("CIS_SUPPORT_ROLE_CHECKOV_PYTHON", VENVS / "checkov" / "bin" / "python")


def prowler_cli() -> Path:
    return _tool("CIS_SUPPORT_ROLE_PROWLER", VENVS / "prowler" / "bin" / "prowler")


def prowler_python() -> Path:
    return _tool("CIS_SUPPORT_ROLE_PROWLER_PYTHON", VENVS / "prowler" / "bin" / "python")


def moto_server_cli() -> Path:
    return prowler_python().parent / "moto_server"


def terraform_cli() -> Path:
    """The terraform binary, if it and the offline AWS provider mirror are both present."""
    found = shutil.which("terraform")
    if not found:
        raise ToolMissing("terraform is not on the PATH")
    provider = TF_MIRROR / "registry.terraform.io" / "hashicorp" / "aws" / AWS_PROVIDER_VERSION
    if not provider.is_dir():
        raise ToolMissing(f"the hashicorp/aws {AWS_PROVIDER_VERSION} provider is not in the mirror {TF_MIRROR}")
    return Path(found)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


FAKE_CREDENTIALS: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": "AKIAMOTOEXAMPLE00001",
    "AWS_SECRET_ACCESS_KEY": "moto-secret-not-a-real-key",
}


class MotoServer:
    """``moto_server`` on 127.0.0.1 and a free port, as one simulated AWS account.

    The account ID is fixed at start (``MOTO_ACCOUNT_ID``); AWS managed policies such as
    AWSSupportAccess exist because ``MOTO_IAM_LOAD_MANAGED_POLICIES`` is set.
    """

    def __init__(self, account_id: str = "123456789012", log_dir: Path | None = None) -> None:
        self.account_id = account_id
        self.log_dir = log_dir
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The Prowler tests' moto harness when present (moto 5.2's ListEntitiesForPolicy ignores
        PolicyUsageFilter and sees only 100 roles; the harness answers as IAM does), else moto_server."""
        if MOTO_HARNESS.is_file():
            return [str(prowler_python()), str(MOTO_HARNESS)]
        return [str(moto_server_cli())]

    def start(self, timeout: float = 60.0) -> MotoServer:
        command = self.command()
        env = {
            **os.environ,
            **FAKE_CREDENTIALS,
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
            "MOTO_ACCOUNT_ID": self.account_id,
        }
        for attempt in range(3):
            self.port = free_port()
            log_dir = self.log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
            log_dir.mkdir(parents=True, exist_ok=True)
            self._log = log_dir / f"moto-{self.port}.log"
            with self._log.open("wb") as log:
                self._process = subprocess.Popen(
                    [*command, "-H", "127.0.0.1", "-p", str(self.port)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )
            if self._wait_ready(timeout):
                return self
            self.stop()
            if attempt == 2:
                break
        raise RuntimeError(f"moto_server did not start; see {self._log}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        return False

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def client_env(self, partition: str = "aws") -> dict[str, str]:
        """Environment variables that point an AWS SDK (boto3, Prowler) at this server."""
        region = REGION_OF_PARTITION[partition]
        return {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.url,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            # no shared config or profile of the machine may leak into a test
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def __enter__(self) -> MotoServer:
        return self if self._process is not None else self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def provider_block(endpoint: str, partition: str = "aws") -> str:
    """The ``provider "aws"`` block for a moto server: fake credentials, IAM and STS on loopback."""
    region = REGION_OF_PARTITION[partition]
    return f"""provider "aws" {{
  region                      = "{region}"
  access_key                  = "{FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]}"
  secret_key                  = "{FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {{
    iam = "{endpoint}"
    sts = "{endpoint}"
  }}
}}
"""


REQUIRED_PROVIDERS = f"""terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{AWS_PROVIDER_VERSION}"
    }}
  }}
}}
"""


@dataclass
class CommandResult:
    args: Sequence[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        tail = (self.stderr or self.stdout)[-3000:]
        return f"{' '.join(map(str, self.args))} exited {self.returncode} after {self.seconds:.1f}s:\n{tail}"


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
    check: bool = True,
) -> CommandResult:
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
    """One Terraform root module directory, run offline against the provider mirror."""

    directory: Path
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.binary = terraform_cli()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.cli_config = self.directory.parent / f".{self.directory.name}.tfrc"
        self.cli_config.write_text(
            'provider_installation {\n  filesystem_mirror {\n    path = "' + str(TF_MIRROR) + '"\n  }\n}\n',
            encoding="utf-8",
        )

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        return {
            **keep,
            "TF_CLI_CONFIG_FILE": str(self.cli_config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",  # no version check over the network
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def _run(self, step: str, *args: str, timeout: float = 900) -> CommandResult:
        result = run([self.binary, *args], cwd=self.directory, env=self.env(), timeout=timeout, check=False)
        self.timings[step] = self.timings.get(step, 0.0) + result.seconds
        if result.returncode != 0:
            raise RuntimeError(f"terraform {step} failed in {self.directory}: {result.describe()}")
        return result

    def init(self) -> None:
        self._run("init", "init", "-input=false", "-no-color")

    def plan(self, out: str = "tf.plan") -> Path:
        self._run("plan", "plan", "-input=false", "-no-color", "-refresh=false", f"-out={out}")
        return self.directory / out

    def show_json(self, plan: Path) -> dict[str, object]:
        result = self._run("show", "show", "-json", "-no-color", plan.name)
        data = json.loads(result.stdout)
        assert isinstance(data, dict)
        return data

    def apply(self, plan: Path | None = None) -> None:
        if plan is not None:
            self._run("apply", "apply", "-input=false", "-no-color", plan.name)
        else:
            self._run("apply", "apply", "-input=false", "-no-color", "-auto-approve")

"""The moto server lifecycle: start on loopback, wait until it answers, hand out, always stop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from .._arn import REGION_OF_PARTITION

DEFAULT_ACCOUNT = "123456789012"

# Credentials moto accepts and no real account has; every client of a local server uses these.
FAKE_CREDENTIALS: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": "AKIAMOTOEXAMPLE00001",
    "AWS_SECRET_ACCESS_KEY": "moto-secret-not-a-real-key",
}

# What a server or a client of it must not inherit from the machine: real credentials, profiles,
# endpoints, another server's account.
_MACHINE_PREFIXES = ("AWS_", "MOTO_")


class MotoServerError(RuntimeError):
    """The server did not start or stopped answering; the message carries the end of its log."""


def region_for(partition: str) -> str:
    """The region whose requests moto serves in ``partition`` (KeyError for an unknown one)."""
    return REGION_OF_PARTITION[partition]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def moto_iam_command(python: str | os.PathLike[str]) -> list[str]:
    """The command of a moto server with IAM's own ``ListEntitiesForPolicy`` (see
    :mod:`support_role.localaws.moto_iam`), run by ``python``, an interpreter that has moto and this
    package installed (the Prowler environment here)."""
    return [str(python), "-m", "support_role.localaws.moto_iam"]


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without AWS or moto settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_MACHINE_PREFIXES)}
    env.update(extra or {})
    return env


class MotoServer:
    """One moto server on 127.0.0.1 and a free port, holding one simulated account.

    ``command`` is ``moto_server`` or anything taking its ``-H HOST -p PORT`` options (e.g.
    :func:`moto_iam_command`). The account ID is fixed at start (``MOTO_ACCOUNT_ID``); AWS managed
    policies such as AWSSupportAccess exist (``MOTO_IAM_LOAD_MANAGED_POLICIES``). Before
    :meth:`start` returns, one IAM call has created the account's IAM backend in ``partition``,
    which loads about 1,300 managed policies: the slowest request a server ever answers, made
    while nothing else waits on it. The server's output goes to ``log_dir/moto-<port>.log`` (kept),
    or to a temporary file removed by :meth:`stop`. Use it as a context manager, or call
    :meth:`stop` in a ``finally``: the process is terminated, then killed after 10 seconds.
    """

    def __init__(
        self,
        command: Sequence[str | os.PathLike[str]] = ("moto_server",),
        *,
        account_id: str = DEFAULT_ACCOUNT,
        partition: str = "aws",
        log_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        start_timeout: float = 120.0,
    ) -> None:
        self.command = [str(part) for part in command]
        self.account_id = account_id
        self.partition = partition
        self.log_dir = log_dir
        self.extra_env = dict(env or {})
        self.start_timeout = start_timeout
        self.port = 0
        self.log: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._temporary_log = False

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, the endpoint of every AWS service the server simulates."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> MotoServer:
        """Start the server and wait until it answers (three ports are tried: a port found free may
        be taken before the server binds it). Raises :class:`MotoServerError` naming the log."""
        env = clean_environment(
            {
                **FAKE_CREDENTIALS,
                "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
                "MOTO_ACCOUNT_ID": self.account_id,
                **self.extra_env,
            }
        )
        problem = ""
        for _ in range(3):
            self.port = free_port()
            self._open_log()
            assert self.log is not None
            with self.log.open("wb") as log:
                try:
                    self._process = subprocess.Popen(
                        [*self.command, "-H", "127.0.0.1", "-p", str(self.port)],
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        env=env,
                        start_new_session=True,  # a Ctrl-C in the terminal reaches us, and we stop it
                    )
                except OSError as error:
                    raise MotoServerError(f"{' '.join(self.command)} cannot run: {error}") from error
            try:
                self._wait_ready()
                self._create_iam_backend()
                return self
            except MotoServerError as error:
                problem = str(error)
                self.stop()
        raise MotoServerError(problem)

    def _open_log(self) -> None:
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            self.log = self.log_dir / f"moto-{self.port}.log"
            self._temporary_log = False
        else:
            handle, name = tempfile.mkstemp(prefix=f"moto-{self.port}-", suffix=".log")
            os.close(handle)
            self.log = Path(name)
            self._temporary_log = True

    def _log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace") if self.log else ""
        except OSError:
            text = ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def _failure(self, what: str) -> MotoServerError:
        where = f" (log: {self.log})" if self.log is not None and not self._temporary_log else ""
        tail = self._log_tail()
        return MotoServerError(
            f"{' '.join(self.command)} on port {self.port} {what}{where}" + (f":\n{tail}" if tail else "")
        )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._process is None or self._process.poll() is not None:
                raise self._failure("exited before it answered")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise self._failure(f"did not answer within {self.start_timeout:.0f} s")
            time.sleep(0.2)

    def _create_iam_backend(self) -> None:
        from ._iam import IamError, IamQueryClient

        client = IamQueryClient(self.url, region_for(self.partition), timeout=self.start_timeout)
        try:
            client.call("ListRoles", MaxItems="1")
        except (IamError, OSError) as error:
            raise self._failure(f"did not answer an IAM call ({error})") from error

    def reset(self) -> None:
        """Empty every account of the server (moto's reset API)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    def stop(self) -> None:
        """Stop the server (idempotent) and remove its log if it was a temporary one."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._temporary_log and self.log is not None:
            self.log.unlink(missing_ok=True)

    def client_env(self, partition: str | None = None) -> dict[str, str]:
        """Environment variables that point an AWS SDK or CLI (boto3, Prowler, Terraform's provider
        reads its own block) at this server, in ``partition``'s region, and at nothing of the
        machine's: no shared config, no credentials file, no instance metadata."""
        region = region_for(partition or self.partition)
        return {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.url,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def __enter__(self) -> MotoServer:
        return self if self.running else self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def python_beside(executable: str | os.PathLike[str]) -> str:
    """The Python interpreter of the virtual environment an executable (prowler, moto_server) is in,
    else this one."""
    candidate = Path(executable).parent / "python"
    return str(candidate) if candidate.is_file() else sys.executable

"""The demo: the same rules, one answer, on the code and on the account (run by ``bash scripts/demo``).

1. starts one local moto server per example account (127.0.0.1 only; ``support_role.localaws``,
   the lifecycle the doctor and the tests use; always stopped);
2. creates each example account with ``terraform apply`` of ``examples/<name>/main.tf`` against it
   (without terraform, or when it fails: creates it through the IAM API from
   ``examples/<name>/account.yaml``, the same account);
3. runs Checkov with our checks on the Terraform code in ``examples/``;
4. runs Prowler with our plugin on each moto account;
5. prints, per account, a table rule x role x scanner with the reasons (``scripts/demo_report.py``)
   and exits 1 if the two scanners disagree anywhere (2 if something could not run).

Runs in the base environment (standard library and the core); the scanners and moto run in their
own environments, found through the variables ``scripts/envs.sh`` exports. Nothing leaves the
machine. Outputs are kept in ``$CIS_SUPPORT_ROLE_DEMO_DIR`` (default: a new temporary directory);
``$CIS_SUPPORT_ROLE_DEMO_EXAMPLES="name ..."`` picks some of the examples.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import demo_report  # this script's own folder is on sys.path

from support_role import RULES
from support_role.localaws import (
    IamQueryClient,
    MotoServer,
    MotoServerError,
    Terraform,
    moto_iam_command,
    provider_block,
    region_for,
    run_command,
    seed_scenario,
)
from support_role.scenarios import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXAMPLES = "well-configured classic-mistakes no-support-role"
STARTED = time.monotonic()


class DemoError(RuntimeError):
    """Something the demo needs could not run; the message says what and where its log is."""


def step(text: str) -> None:
    print(f"\n==> [{time.monotonic() - STARTED:.0f}s] {text}", file=sys.stderr, flush=True)


def say(text: str) -> None:
    print(f"==> {text}", file=sys.stderr, flush=True)


def tool(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise DemoError(f"${variable} is not set: run the demo as: bash scripts/demo")
    return value


def tool_env() -> dict[str, str]:
    """The environment of a scanner run: this one without AWS settings of the machine."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}


def apply_with_terraform(name: str, server: MotoServer, account: Scenario, work: Path) -> None:
    tf = Terraform(work / "terraform" / name)
    tf.write({source.name: source.read_text(encoding="utf-8") for source in (ROOT / "examples" / name).glob("*.tf")})
    note = "# Added by scripts/demo: the example's AWS account is a local moto server.\n"
    tf.write({"zz_moto_provider.tf": note + provider_block(account.partition, endpoint=server.url)})
    for what, run in (("init", tf.init), ("apply", tf.apply)):
        try:
            run()
        except RuntimeError as error:
            log = work / f"terraform-{what}-{name}.log"
            log.write_text(str(error), encoding="utf-8")
            raise DemoError(f"terraform {what} failed for {name} (see {log})") from None


def create_accounts(
    examples: list[str], servers: dict[str, MotoServer], accounts: dict[str, Scenario], work: Path
) -> None:
    use_terraform = shutil.which("terraform") is not None
    if use_terraform:
        step("Creating the example accounts with terraform apply of examples/<name>/main.tf")
        try:
            for name in examples:
                apply_with_terraform(name, servers[name], accounts[name], work)
                say(f"{name}: applied")
        except DemoError as error:
            say(str(error))
            say("falling back to the IAM API for every account: restarting from empty accounts")
            for server in servers.values():
                server.reset()
            use_terraform = False
    if not use_terraform:
        step("terraform is not available: creating each account through the IAM API from examples/<name>/account.yaml")
        say("(account.yaml describes the same account as main.tf; tests/e2e/test_examples.py proves it)")
        for name in examples:
            seed_scenario(IamQueryClient(servers[name].url, region_for(accounts[name].partition)), accounts[name])
            say(f"{name}: created")


def run_checkov(work: Path) -> Path:
    checks = ",".join(rule.checkov_id for rule in RULES)
    step(f"Checkov on the Terraform code: checkov -d examples --external-checks-dir checkov_checks --check {checks}")
    command = [tool("CIS_SUPPORT_ROLE_CHECKOV"), "-d", "examples", "--external-checks-dir", "checkov_checks"]
    command += ["--framework", "terraform", "--check", checks, "--skip-download", "--soft-fail", "-o", "json"]
    done = run_command(command, cwd=ROOT, env=tool_env(), timeout=1800, check=False)
    (work / "checkov.log").write_text(done.stderr, encoding="utf-8")
    (work / "checkov.json").write_text(done.stdout, encoding="utf-8")
    if done.returncode != 0:
        raise DemoError(f"checkov exited {done.returncode}; see {work / 'checkov.log'}")
    say(f"done: {work / 'checkov.json'}")
    return work / "checkov.json"


def run_prowler(name: str, server: MotoServer, account: Scenario, work: Path) -> Path:
    checks = [rule.prowler_id for rule in RULES]
    region = region_for(account.partition)
    command = [tool("CIS_SUPPORT_ROLE_PROWLER"), "aws", "--checks", *checks, "-f", region, "-M", "json-ocsf", "csv"]
    command += ["-o", str(work / "prowler"), "-F", name, "--no-banner", "--ignore-exit-code-3"]
    done = run_command(command, env={**tool_env(), **server.client_env(account.partition)}, timeout=1800, check=False)
    log = work / f"prowler-{name}.log"
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    output = work / "prowler" / f"{name}.ocsf.json"
    if done.returncode != 0 or not output.is_file() or not output.stat().st_size:
        raise DemoError(f"prowler exited {done.returncode} on {name}; see {log}")
    say(f"{name}: {output}")
    return output


def demo(examples: list[str], work: Path) -> int:
    accounts = {name: load_scenario(ROOT / "examples" / name / "account.yaml") for name in examples}
    with ExitStack() as stack:
        step("Starting one moto server per example account (127.0.0.1 only)")
        servers: dict[str, MotoServer] = {}
        moto = moto_iam_command(tool("CIS_SUPPORT_ROLE_PROWLER_PYTHON"))
        for name in examples:
            account = accounts[name]
            server = MotoServer(moto, account_id=account.account_id, partition=account.partition, log_dir=work)
            servers[name] = stack.enter_context(server)
            say(f"{name}: account {account.account_id} at {server.url}")
        create_accounts(examples, servers, accounts, work)
        checkov = run_checkov(work)
        step(f"Prowler with our plugin on each account: prowler aws --checks {' '.join(r.prowler_id for r in RULES)}")
        report_args = ["--checkov", str(checkov)]
        for name in examples:
            ocsf = run_prowler(name, servers[name], accounts[name], work)
            report_args += ["--account", name, str(ROOT / "examples" / name), str(ocsf)]
    step("Side by side")
    return demo_report.main(report_args)


def main() -> int:
    examples = re.split(r"\s+", os.environ.get("CIS_SUPPORT_ROLE_DEMO_EXAMPLES", DEFAULT_EXAMPLES).strip())
    chosen = os.environ.get("CIS_SUPPORT_ROLE_DEMO_DIR")
    work = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="cis-support-role-demo."))
    work.mkdir(parents=True, exist_ok=True)
    say(f"outputs and logs go to {work}")
    try:
        code = demo(examples, work)
    except (DemoError, MotoServerError) as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    say(f"finished in {time.monotonic() - STARTED:.0f}s; outputs in {work}")
    return code


if __name__ == "__main__":
    sys.exit(main())

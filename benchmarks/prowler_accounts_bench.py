"""Benchmark: accounts per hour for our four checks over many accounts, three ways, in one run.

    .venvs/prowler/bin/python -m benchmarks.prowler_accounts_bench [--sizes 20 60 150] [--jobs 2]
        [--cli-accounts 4] [--cli-parallel 4] [--scan-api-accounts 3] [--json out.json]

(from the repository root: the server comes from the tests' package). One moto server on 127.0.0.1
holds every account (``tests/prowler/moto_accounts.py``: AssumeRole into
``arn:aws:iam::<account>:role/ProwlerScan`` lands in that account; only the AWS managed policies the
accounts use are loaded, so hundreds of accounts fit). Each account has the scan role, a user and two
support roles (one trusted by the user with MFA, one trusted by "*"): 7 findings, 2 of them FAIL.

Measured, all against the same server in the same run (so the machine's load weighs on each alike):

1. **serial CLI loop**: ``prowler aws -R <role> -c <our four checks>`` once per account, one after the
   other (``--cli-accounts`` accounts): the baseline, what the README's loop does.
2. **parallel CLI**: the same commands, ``--cli-parallel`` at a time, over twice as many accounts.
3. **scan-API workers**: ``cis-support-role-prowler-org --jobs N`` over each of ``--sizes`` accounts
   (long-lived workers that import Prowler once; one report), with the peak resident memory per worker.
4. **Scan per account** (optional, ``--scan-api-accounts``): Prowler's ``Scan(provider, checks=...)``
   constructed and run per account in one process, as Prowler App's worker task does: why the
   workers do not build a ``Scan`` for every account (its constructor loads every check's metadata
   and every compliance framework each time).

Rates are accounts per hour of wall time; the ratio is against the serial CLI loop of this run. Every
run's findings are checked (7 per account, 2 FAIL) so a fast wrong answer cannot pass for a result.
Timing goals live here, never in the tests.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from support_role import RULES
from support_role.localaws import MotoServer
from tests.prowler.moto_accounts import account_client, accounts_server

ROOT = Path(__file__).resolve().parents[1]

OURS = [rule.prowler_id for rule in RULES]
ROLE = "ProwlerScan"
PROWLER = os.environ.get("CIS_SUPPORT_ROLE_PROWLER") or str(Path(sys.executable).parent / "prowler")
FINDINGS_PER_ACCOUNT = 7  # exists + 2 roles x (trust, least privilege, MFA)
FAILS_PER_ACCOUNT = 2  # trust and MFA of the role trusted by "*" (see _seed)


def account_id(index: int) -> str:
    return f"{500000000000 + index:012d}"


def _seed(server: MotoServer, account: str) -> None:
    iam = account_client(server, "iam", account)
    nobody = json.dumps({"Version": "2012-10-17", "Statement": []})
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=nobody)
    iam.create_user(UserName="alice")
    alice = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:user/alice"},
        "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }
    anyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    for name, statement in (("ops-support", alice), ("open-support", anyone)):
        iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )
        iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")


def _env(server: MotoServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "CIS_SUPPORT_ROLE_CONFIG"))}
    return {**env, **server.client_env()}


def _check_counts(rows: list[tuple[str, str]], accounts: Sequence[str], how: str) -> None:
    """rows: (account, status) of every finding of ours; fails loudly on a wrong answer."""
    for account in accounts:
        statuses = [status for owner, status in rows if owner == account]
        if len(statuses) != FINDINGS_PER_ACCOUNT or statuses.count("FAIL") != FAILS_PER_ACCOUNT:
            raise AssertionError(f"{how}: account {account} gave {sorted(statuses)}")


def _cli_one(server: MotoServer, account: str, out: Path) -> float:
    command = [PROWLER, "aws", "-R", f"arn:aws:iam::{account}:role/{ROLE}", "-f", "us-east-1", "--no-banner"]
    command += ["-c", *OURS, "-M", "csv", "-o", str(out), "-F", account, "-z"]
    started = time.monotonic()
    result = subprocess.run(command, env=_env(server), capture_output=True, text=True, timeout=3600)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"prowler failed for {account} ({result.returncode}): {result.stderr[-2000:]}")
    return seconds


def _cli_rows(out: Path) -> list[tuple[str, str]]:
    rows = []
    for path in out.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [(r["ACCOUNT_UID"], r["STATUS"]) for r in csv.DictReader(handle, delimiter=";")]
    return rows


def cli(server: MotoServer, accounts: Sequence[str], parallel: int, work: Path) -> dict[str, Any]:
    out = work / f"cli-{parallel}"
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        per_account = list(pool.map(lambda a: _cli_one(server, a, out), accounts))
    wall = time.monotonic() - started
    _check_counts(_cli_rows(out), accounts, f"CLI x{parallel}")
    return {
        "accounts": len(accounts),
        "parallel": parallel,
        "wall_seconds": round(wall, 1),
        "seconds_per_account": round(wall / len(accounts), 2),
        "mean_run_seconds": round(sum(per_account) / len(per_account), 1),
        "accounts_per_hour": round(len(accounts) * 3600 / wall),
    }


def workers(server: MotoServer, accounts: Sequence[str], jobs: int, work: Path) -> dict[str, Any]:
    out = work / f"org-{len(accounts)}"
    listing = work / f"accounts-{len(accounts)}.txt"
    listing.write_text("\n".join(accounts) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "prowler_checks.accounts", "--accounts", str(listing), "--role-name", ROLE]
    command += ["-j", str(jobs), "-o", str(out), "-F", "org", "-z"]
    started = time.monotonic()
    result = subprocess.run(command, env=_env(server), capture_output=True, text=True, timeout=7200, cwd=ROOT)
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"the org scan failed ({result.returncode}): {result.stderr[-3000:]}")
    summary = json.loads((out / "org.accounts.json").read_text(encoding="utf-8"))
    with (out / "org.csv").open(encoding="utf-8", newline="") as handle:
        rows = [(r["ACCOUNT_UID"], r["STATUS"]) for r in csv.DictReader(handle, delimiter=";")]
    _check_counts(rows, accounts, f"workers x{jobs}")
    if summary["accounts_scanned"] != len(accounts):
        raise AssertionError(f"not scanned: {summary['accounts_not_scanned']}")
    seconds = sorted(a["seconds"] for a in summary["accounts"])
    return {
        "accounts": len(accounts),
        "jobs": jobs,
        "wall_seconds": round(wall, 1),
        "seconds_per_account": round(wall / len(accounts), 2),
        "median_account_seconds": seconds[len(seconds) // 2],
        "accounts_per_hour": round(len(accounts) * 3600 / wall),
        "worker_peak_rss_mib": summary["worker_peak_rss_mib"],
    }


_SCAN_API = """
import json, sys, time, resource
from prowler.lib.scan.scan import Scan
from prowler.providers.aws.aws_provider import AwsProvider
accounts, checks, role = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
times, statuses = [], []
for account in accounts:
    started = time.monotonic()
    provider = AwsProvider(role_arn=f"arn:aws:iam::{account}:role/{role}", regions={"us-east-1"})
    scan = Scan(provider, checks=checks)
    constructed = time.monotonic()
    for _, findings in scan.scan():
        statuses += [(account, f.status.value) for f in findings]
    times.append((constructed - started, time.monotonic() - started))
print(json.dumps({"times": times, "rows": statuses, "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def scan_per_account(server: MotoServer, accounts: Sequence[str]) -> dict[str, Any]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", _SCAN_API, json.dumps(list(accounts)), json.dumps(OURS), ROLE],
        env=_env(server),
        capture_output=True,
        text=True,
        timeout=7200,
        cwd=ROOT,
    )
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"the Scan-per-account run failed: {result.stderr[-3000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    _check_counts([tuple(row) for row in data["rows"]], accounts, "Scan per account")
    later = data["times"][1:] or data["times"]  # the first account also pays the imports
    return {
        "accounts": len(accounts),
        "wall_seconds": round(wall, 1),
        "seconds_per_account_after_first": round(sum(total for _, total in later) / len(later), 2),
        "scan_constructor_seconds_after_first": round(sum(init for init, _ in later) / len(later), 2),
        "accounts_per_hour_one_process": round(3600 * len(later) / sum(total for _, total in later)),
        "peak_rss_mib": round(data["rss_kib"] / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 60, 150], help="account counts for the workers")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2: this machine's cores)")
    parser.add_argument("--cli-accounts", type=int, default=4, help="accounts scanned by the serial CLI loop")
    parser.add_argument("--cli-parallel", type=int, default=4, help="CLI processes at a time in the parallel run")
    parser.add_argument("--scan-api-accounts", type=int, default=3, help="accounts for Scan per account (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    total = max([*args.sizes, args.cli_accounts, 2 * args.cli_accounts, args.scan_api_accounts])
    accounts = [account_id(i) for i in range(total)]
    results: dict[str, Any] = {"load_average_at_start": os.getloadavg(), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp, accounts_server() as server:
        work = Path(tmp)
        started = time.monotonic()
        for account in accounts:
            _seed(server, account)
        results["seed_seconds"] = round(time.monotonic() - started, 1)
        print(f"seeded {total} accounts in {results['seed_seconds']} s", file=sys.stderr, flush=True)
        results["serial_cli"] = cli(server, accounts[: args.cli_accounts], 1, work)
        print(f"serial CLI: {results['serial_cli']}", file=sys.stderr, flush=True)
        results["parallel_cli"] = cli(server, accounts[: 2 * args.cli_accounts], args.cli_parallel, work)
        print(f"parallel CLI: {results['parallel_cli']}", file=sys.stderr, flush=True)
        results["workers"] = []
        for size in args.sizes:
            results["workers"].append(workers(server, accounts[:size], args.jobs, work))
            print(f"workers: {results['workers'][-1]}", file=sys.stderr, flush=True)
        if args.scan_api_accounts:
            results["scan_per_account"] = scan_per_account(server, accounts[: args.scan_api_accounts])
            print(f"Scan per account: {results['scan_per_account']}", file=sys.stderr, flush=True)
    results["load_average_at_end"] = os.getloadavg()
    _print(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def _print(results: dict[str, Any]) -> None:
    base = results["serial_cli"]["accounts_per_hour"]
    load = ", ".join(f"{x:.1f}" for x in results["load_average_at_start"])
    print(f"\n{results['cpus']} CPUs, load average at start {load}; seeding {results['seed_seconds']} s\n")
    print("| how | accounts | wall | s/account | accounts/hour | x serial CLI | peak memory per process |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    serial, parallel = results["serial_cli"], results["parallel_cli"]
    print(
        f"| serial CLI loop | {serial['accounts']} | {serial['wall_seconds']} s | {serial['seconds_per_account']} "
        f"| {base} | 1.0 | - |"
    )
    print(
        f"| parallel CLI ({parallel['parallel']} at a time) | {parallel['accounts']} | {parallel['wall_seconds']} s "
        f"| {parallel['seconds_per_account']} | {parallel['accounts_per_hour']} "
        f"| {parallel['accounts_per_hour'] / base:.1f} | - |"
    )
    for row in results["workers"]:
        print(
            f"| scan-API workers (--jobs {row['jobs']}) | {row['accounts']} | {row['wall_seconds']} s "
            f"| {row['seconds_per_account']} | {row['accounts_per_hour']} | {row['accounts_per_hour'] / base:.1f} "
            f"| {row['worker_peak_rss_mib']} MiB |"
        )
    if "scan_per_account" in results:
        row = results["scan_per_account"]
        print(
            f"| Scan() per account, one process | {row['accounts']} | {row['wall_seconds']} s "
            f"| {row['seconds_per_account_after_first']} "
            f"(of which Scan() {row['scan_constructor_seconds_after_first']}) "
            f"| {row['accounts_per_hour_one_process']} | {row['accounts_per_hour_one_process'] / base:.1f} "
            f"| {row['peak_rss_mib']} MiB |"
        )


if __name__ == "__main__":
    sys.exit(main())

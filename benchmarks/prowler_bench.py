"""Benchmark: AWS API calls and scan-phase time of our four Prowler checks against Prowler's built-in
``iam_support_role_created`` run alone, on moto accounts of 10, 100 and 1,000 roles (k = 2 support roles).

    .venvs/prowler/bin/python benchmarks/prowler_bench.py [--sizes 10 100 1000] [--json out.json]

How it works:
* Each size gets its own moto server on 127.0.0.1 (started and stopped here), seeded through the IAM API with
  one user, k = 2 support roles (trusted by that user with MFA, AWSSupportAccess and one support-only
  inline policy each: the rules pass) and ordinary roles up to the account size.
* The real ``prowler`` CLI scans it twice: our four checks (``-c``), then the built-in alone.
* Calls are counted by the server: it appends "<service> <Action>" for every call it answers
  (``support_role.localaws.moto_iam``, ``$MOTO_IAM_CALL_LOG``). IAM calls are the checks' own: Prowler's start-up
  calls STS, Organizations and EC2, never IAM.
* Scan-phase time is what Prowler's progress bar reports for executing the checks ("in N s"), which
  includes loading the service data a check imports (the built-in's ``iam_client`` enumerates the
  account there); wall time adds Prowler's start-up (about 15-20 s on this machine, both runs alike).
* moto's ``ListEntitiesForPolicy`` looks at only 100 roles (ordered by random role ID): on a larger
  account both checks would miss support roles at random. The server runs with the harness's
  faithful ListEntitiesForPolicy (every role, PolicyUsageFilter, pagination), so both checks see the
  two support roles at every size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from support_role.localaws import IamQueryClient, MotoServer, moto_iam_command, seed_filler_roles
from support_role.localaws.moto_iam import CALL_LOG_ENV

ACCOUNT = "123456789012"
K = 2
OURS = [
    "iam_cis_support_role_exists",
    "iam_cis_support_role_trusts_specific_principals",
    "iam_cis_support_role_least_privilege",
    "iam_cis_support_role_requires_mfa",
]
BUILTIN = "iam_support_role_created"
PROWLER = os.environ.get("CIS_SUPPORT_ROLE_PROWLER") or str(Path(sys.executable).parent / "prowler")
_SCAN_TIME = re.compile(r"\]\s+in\s+(?:(\d+):)?(\d+(?:\.\d+)?)s")


def _seed(server: MotoServer, roles: int) -> None:
    iam = IamQueryClient(server.url)
    iam.create_user(UserName="alice")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ],
    }
    inline = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "support:*", "Resource": "*"}]}
    for i in range(K):
        name = f"support-{i}"
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
        iam.put_role_policy(RoleName=name, PolicyName="support-cases", PolicyDocument=json.dumps(inline))
    seed_filler_roles(iam, roles - K)


def _scan_seconds(stdout: str) -> float | None:
    match = _SCAN_TIME.search(stdout)
    if not match:
        return None
    minutes, seconds = match.groups()
    return int(minutes or 0) * 60 + float(seconds)


def _run(server: MotoServer, checks: list[str], log: Path, out: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    env.update(server.client_env())
    log.write_text("", encoding="utf-8")
    command = [PROWLER, "aws", "-f", "us-east-1", "--no-banner", "-c", *checks, "-M", "json-ocsf", "-o", str(out)]
    command += ["-F", "out", "-z"]
    started = time.monotonic()
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"prowler failed ({result.returncode}): {result.stderr[-2000:]}")
    calls = Counter(tuple(line.split(" ", 1)) for line in log.read_text(encoding="utf-8").splitlines() if line)
    iam = {action: n for (service, action), n in calls.items() if service == "iam"}
    findings = json.loads((out / "out.ocsf.json").read_text(encoding="utf-8"))
    return {
        "iam_calls": sum(iam.values()),
        "iam_calls_by_action": dict(sorted(iam.items())),
        "other_calls": sum(n for (service, _), n in calls.items() if service != "iam"),
        "scan_seconds": _scan_seconds(result.stdout),
        "wall_seconds": round(wall, 1),
        "findings": [(f["metadata"]["event_code"], f["status_code"], f["status_detail"]) for f in findings],
    }


def bench(sizes: list[int]) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "calls.log"
            server = MotoServer(moto_iam_command(sys.executable), account_id=ACCOUNT, env={CALL_LOG_ENV: str(log)})
            with server:
                started = time.monotonic()
                _seed(server, size)
                seeded = time.monotonic() - started
                ours = _run(server, OURS, log, Path(tmp) / "ours")
                builtin = _run(server, [BUILTIN], log, Path(tmp) / "builtin")
        rows.append(
            {"roles": size, "support_roles": K, "seed_seconds": round(seeded, 1), "ours": ours, "builtin": builtin}
        )
        print(_line(rows[-1]), file=sys.stderr, flush=True)
    return rows


def _line(row: dict[str, Any]) -> str:
    ours, builtin = row["ours"], row["builtin"]
    goal = 3 + 4 * row["support_roles"]
    return (
        f"| {row['roles']:>5} | {ours['iam_calls']:>3} (≤ {goal}) "
        f"| {ours['scan_seconds']} s | {ours['wall_seconds']} s "
        f"| {builtin['iam_calls']:>5} | {builtin['scan_seconds']} s | {builtin['wall_seconds']} s |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--json", type=Path, help="also write the full results (per-action counts, findings) here")
    args = parser.parse_args()
    rows = bench(args.sizes)
    print("| roles | our IAM calls (goal) | our scan | our wall | built-in IAM calls | built-in scan | built-in wall |")
    print("|------:|---------------------:|---------:|---------:|-------------------:|--------------:|--------------:|")
    for row in rows:
        print(_line(row))
    for row in rows:
        print(f"\n{row['roles']} roles: ours {row['ours']['iam_calls_by_action']}")
        for check, status, text in row["ours"]["findings"] + row["builtin"]["findings"]:
            print(f"  {check}: {status}: {text}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    failed = [r["roles"] for r in rows if r["ours"]["iam_calls"] > 3 + 4 * r["support_roles"]]
    if failed:
        print(f"GOAL MISSED: more than 3 + 4k calls at {failed} roles", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

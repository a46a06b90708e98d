"""What the CKV_CISSR checks cost on top of a full Checkov scan of a large Terraform repository.

    .venvs/checkov/bin/python benchmarks/checkov_bench.py                  # 2,000 and 20,000 roles
    .venvs/checkov/bin/python benchmarks/checkov_bench.py --sizes 2000 --repeats 5
    .venvs/checkov/bin/python benchmarks/checkov_bench.py --sizes 20000 --repeats 0   # our own time only

For each size it generates a Terraform repository (``--keep`` keeps it): 60 % of the roles in
the root module with a ``data.aws_iam_policy_document`` trust, an ``aws_iam_role_policy_attachment``
(every third one AWSSupportAccess) and for every fifth an ``aws_iam_role_policy``; 40 % made by a
local module called with ``for_each`` (four roles per call), each with its own trust document
and attachments. Then, in one session and alternating (without, with, with, without, ...), it
runs the full built-in Checkov scan of the repository (``--framework terraform``, every built-in
check) without and with ``--external-checks-dir checkov_checks``, and reports the median wall
time and peak memory of each and their ratios (goal: at most 1.03 at 2,000 roles).

It also runs Checkov once more per size sequentially (``CHECKOV_PARALLELIZATION_TYPE=none``) with
our checks timed from inside (the glue functions our check classes call), to show that our own
time grows linearly with the number of roles: the microseconds per role should stay flat.

A script that prints figures, not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
CHECKS_DIR = ROOT / "checkov_checks"
ROLES_PER_FILE = 100
ROLES_PER_MODULE_CALL = 4

MODULE_TF = """variable "roles" {
  type = map(string)
}

data "aws_iam_policy_document" "trust" {
  for_each = var.roles
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:user/${each.key}"]
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each           = var.roles
  name               = each.key
  assume_role_policy = data.aws_iam_policy_document.trust[each.key].json
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each   = var.roles
  role       = aws_iam_role.this[each.key].name
  policy_arn = each.value
}
"""


def _root_role(i: int) -> str:
    policy = "AWSSupportAccess" if i % 3 == 0 else "AdministratorAccess" if i % 11 == 0 else "ReadOnlyAccess"
    # every seventh trust document forgets MFA, so that our checks (and Checkov's) also fail some
    mfa = (
        ""
        if i % 7 == 0
        else """
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }"""
    )
    text = f"""
data "aws_iam_policy_document" "trust_{i}" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "AWS"
      identifiers = ["arn:${{data.aws_partition.current.partition}}:iam::111122223333:user/user-{i}"]
    }}{mfa}
  }}
}}

resource "aws_iam_role" "role_{i}" {{
  name               = "role-{i}"
  assume_role_policy = data.aws_iam_policy_document.trust_{i}.json
}}

resource "aws_iam_role_policy_attachment" "role_{i}" {{
  role       = aws_iam_role.role_{i}.name
  policy_arn = "arn:${{data.aws_partition.current.partition}}:iam::aws:policy/{policy}"
}}
"""
    if i % 5 == 0:
        text += f"""
resource "aws_iam_role_policy" "role_{i}" {{
  role   = aws_iam_role.role_{i}.id
  name   = "cases"
  policy = jsonencode({{
    Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "support:*", Resource = "*" }}]
  }})
}}
"""
    return text


def _module_call(first: int, count: int) -> str:
    entries = "".join(
        f'    "mod-role-{i}" = "arn:aws:iam::aws:policy/{"AWSSupportAccess" if i % 3 == 0 else "ReadOnlyAccess"}"\n'
        for i in range(first, first + count)
    )
    return f'\nmodule "team_{first}" {{\n  source = "./modules/role"\n  roles = {{\n{entries}  }}\n}}\n'


def generate(folder: Path, roles: int) -> dict[str, int]:
    """A Terraform repository with ``roles`` roles; returns what it holds."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "modules" / "role").mkdir(parents=True)
    (folder / "modules" / "role" / "main.tf").write_text(MODULE_TF, encoding="utf-8")
    (folder / "main.tf").write_text('data "aws_partition" "current" {}\n', encoding="utf-8")
    in_root = roles * 6 // 10
    blocks: list[str] = [_root_role(i) for i in range(in_root)]
    i = in_root
    while i < roles:
        count = min(ROLES_PER_MODULE_CALL, roles - i)
        blocks.append(_module_call(i, count))
        i += count
    for n in range(0, len(blocks), ROLES_PER_FILE):
        (folder / f"roles_{n // ROLES_PER_FILE:04d}.tf").write_text(
            "".join(blocks[n : n + ROLES_PER_FILE]), encoding="utf-8"
        )
    return {"roles": roles, "roles_in_root": in_root, "roles_in_modules": roles - in_root}


# ------------------------------------------------------------------------------- measuring
def _child(args: argparse.Namespace) -> int:
    """One Checkov run in this process (started by the parent); writes its figures as JSON."""
    stats = {"calls": 0, "seconds": 0.0, "cpu_seconds": 0.0, "index_cpu_seconds": 0.0}
    if args.profile:
        import support_role.checkov_glue as glue
        import support_role.checkov_glue.terraform as glue_terraform

        original = glue.terraform_outcome
        original_scan_of = glue_terraform.scan_of

        def timed(*a: object, **k: object) -> object:
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                return original(*a, **k)  # type: ignore[arg-type]
            finally:
                stats["seconds"] += time.perf_counter() - started
                stats["cpu_seconds"] += time.process_time() - started_cpu
                stats["calls"] += 1

        def timed_scan_of(*a: object, **k: object) -> object:
            started_cpu = time.process_time()
            try:
                return original_scan_of(*a, **k)  # type: ignore[arg-type]
            finally:
                stats["index_cpu_seconds"] += time.process_time() - started_cpu

        glue.terraform_outcome = timed  # type: ignore[assignment]  # read when the checks load
        glue_terraform.scan_of = timed_scan_of  # type: ignore[assignment]  # looked up on every call
    from checkov.main import Checkov

    argv = ["-d", args.repo, "--framework", "terraform", "--skip-download", "--quiet", "--compact", "-o", "json",
            "--output-file-path", args.out_dir]  # fmt: skip
    if args.with_ours:
        argv += ["--external-checks-dir", str(CHECKS_DIR)]
    sys.argv = ["checkov", *argv]
    started = time.perf_counter()
    Checkov(argv=argv).run()
    wall = time.perf_counter() - started
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = max(own.ru_maxrss, children.ru_maxrss)  # Checkov forks a worker per framework
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    Path(args.result).write_text(json.dumps({"wall": wall, "cpu": cpu, "peak_kb": peak_kb, **stats}), encoding="utf-8")
    return 0


def run_once(repo: Path, with_ours: bool, work: Path, profile: bool = False) -> dict[str, float]:
    """Checkov on the repository in a fresh process; wall time from outside, peak RSS from inside."""
    result = work / f"result-{time.monotonic_ns()}.json"
    out_dir = work / "out"
    env = {k: v for k, v in os.environ.items() if k != "CIS_SUPPORT_ROLE_CONFIG"}
    env["LOG_LEVEL"] = "ERROR"
    if profile:
        env["CHECKOV_PARALLELIZATION_TYPE"] = "none"  # in this process, so the timings can be read back
    command = [
        sys.executable,
        __file__,
        "--child",
        "--repo",
        str(repo),
        "--result",
        str(result),
        "--out-dir",
        str(out_dir),
    ]
    command += ["--with-ours"] if with_ours else []
    command += ["--profile"] if profile else []
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0 or not result.exists():
        raise RuntimeError(f"checkov run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(result.read_text(encoding="utf-8"))
    figures["process_wall"] = wall
    figures["load"] = max(load, os.getloadavg()[0])
    reports = json.loads((out_dir / "results_json.json").read_text(encoding="utf-8"))
    reports = reports if isinstance(reports, list) else [reports]
    # --quiet: the report lists failed checks only (a full JSON report of every passed check of a
    # 20,000-role repository would make the output, not the scan, what is measured)
    failed = [record for report in reports for record in report.get("results", {}).get("failed_checks", [])]
    figures["our_results"] = sum(1 for record in failed if record["check_id"].startswith("CKV_CISSR_"))
    figures["results"] = len(failed)
    figures["passed"] = sum(int(report.get("summary", {}).get("passed", 0)) for report in reports)
    return figures


def measure(roles: int, repeats: int, work: Path, keep: bool) -> dict[str, object]:
    repo = work / f"repo-{roles}"
    shape = generate(repo, roles)
    print(f"[{roles} roles] repository generated in {repo}", file=sys.stderr, flush=True)
    runs: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for i in range(repeats):
        order = (False, True) if i % 2 == 0 else (True, False)  # alternate, so drift hits both alike
        for with_ours in order:
            figures = run_once(repo, with_ours, work)
            runs[with_ours].append(figures)
            label = "with   " if with_ours else "without"
            print(
                f"[{roles} roles] run {i + 1}/{repeats} {label} ours: {figures['process_wall']:.1f} s "
                f"(CPU {figures['cpu']:.1f} s, load {figures['load']:.1f}), "
                f"peak {figures['peak_kb'] / 1024:.0f} MiB, "
                f"{figures['passed']} passed, {figures['results']} failed ({figures['our_results']} ours)",
                file=sys.stderr,
                flush=True,
            )
    profile = run_once(repo, True, work, profile=True)
    print(
        f"[{roles} roles] profiled run: our checks {profile['seconds']:.2f} s wall, "
        f"{profile['cpu_seconds']:.2f} s CPU (index {profile['index_cpu_seconds']:.2f} s) in {profile['calls']} calls, "
        f"load {profile['load']:.1f}",
        file=sys.stderr,
    )
    if not keep:
        shutil.rmtree(repo, ignore_errors=True)

    profiled = {
        "our_seconds_profiled": profile["seconds"],
        "our_calls_profiled": profile["calls"],
        "our_us_per_role": profile["seconds"] / roles * 1e6,
        "our_cpu_seconds_profiled": profile["cpu_seconds"],
        "our_index_cpu_seconds_profiled": profile["index_cpu_seconds"],
        "our_cpu_us_per_role": profile["cpu_seconds"] / roles * 1e6,
        "profiled_wall_s": profile["process_wall"],
        "our_results": profile["our_results"],
    }
    if not repeats:  # --repeats 0: only our own time (a size too slow to scan several times)
        return {**shape, "repeats": 0, **profiled}

    def median(with_ours: bool, key: str) -> float:
        return statistics.median(r[key] for r in runs[with_ours])

    pair_ratios = [w["process_wall"] / wo["process_wall"] for w, wo in zip(runs[True], runs[False], strict=True)]
    cpu_pair_ratios = [w["cpu"] / wo["cpu"] for w, wo in zip(runs[True], runs[False], strict=True)]
    return {
        **shape,
        "repeats": repeats,
        "wall_without_s": median(False, "process_wall"),
        "wall_with_s": median(True, "process_wall"),
        "wall_ratio": median(True, "process_wall") / median(False, "process_wall"),
        "wall_ratio_per_pair": pair_ratios,
        "cpu_without_s": median(False, "cpu"),
        "cpu_with_s": median(True, "cpu"),
        "cpu_ratio": median(True, "cpu") / median(False, "cpu"),
        "cpu_ratio_per_pair": cpu_pair_ratios,
        "load_per_run": [r["load"] for pair in zip(runs[False], runs[True], strict=True) for r in pair],
        "peak_without_mib": median(False, "peak_kb") / 1024,
        "peak_with_mib": median(True, "peak_kb") / 1024,
        "peak_ratio": median(True, "peak_kb") / median(False, "peak_kb"),
        "failed_results_without": runs[False][0]["results"],
        "failed_results_with": runs[True][0]["results"],
        **profiled,
        "our_results": runs[True][0]["our_results"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated numbers of roles (default 2000,20000)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs without and with our checks per size (default 3; 0: only the profiled run, our own time)",
    )
    parser.add_argument("--work", help="working folder (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repo", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", help=argparse.SUPPRESS)
    parser.add_argument("--with-ours", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="cissr-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    load_at_start = os.getloadavg()[0]
    rows = [measure(n, args.repeats, work, args.keep) for n in sizes]
    print(
        f"Checkov {_checkov_version()}, {os.cpu_count()} CPUs, load average {load_at_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    header = (
        f"{'roles':>7} {'runs':>4} {'wall without':>13} {'wall with':>10} {'ratio':>6} "
        f"{'peak without':>13} {'peak with':>10} {'ratio':>6} {'our failed':>11} {'our s':>7} {'us/role':>8}"
    )
    print(header)
    for r in rows:
        if not r["repeats"]:
            print(
                f"{r['roles']:>7} {0:>4} {'-':>13} {'-':>10} {'-':>6} {'-':>13} {'-':>10} {'-':>6} "
                f"{r['our_results']:>11} {r['our_seconds_profiled']:>7.2f} {r['our_us_per_role']:>8.0f}"
            )
            print(f"        profiled run only (--repeats 0): {r['profiled_wall_s']:.1f} s wall")
            print(
                f"        our code: {r['our_cpu_seconds_profiled']:.2f} s CPU "
                f"(index {r['our_index_cpu_seconds_profiled']:.2f} s), {r['our_cpu_us_per_role']:.0f} us CPU per role"
            )
            continue
        print(
            f"{r['roles']:>7} {r['repeats']:>4} {r['wall_without_s']:>11.1f} s {r['wall_with_s']:>8.1f} s "
            f"{r['wall_ratio']:>6.3f} {r['peak_without_mib']:>9.0f} MiB {r['peak_with_mib']:>6.0f} MiB "
            f"{r['peak_ratio']:>6.3f} {r['our_results']:>11} "
            f"{r['our_seconds_profiled']:>7.2f} {r['our_us_per_role']:>8.0f}"
        )
        pairs = ", ".join(f"{x:.3f}" for x in cast("list[float]", r["wall_ratio_per_pair"]))
        print(f"        wall-time ratio of each with/without pair: {pairs}")
        print(
            f"        CPU time (user+system, Checkov's forked worker included): {r['cpu_without_s']:.1f} s without, "
            f"{r['cpu_with_s']:.1f} s with, ratio {r['cpu_ratio']:.3f} "
            f"(each pair: {', '.join(f'{x:.3f}' for x in cast('list[float]', r['cpu_ratio_per_pair']))})"
        )
        print(
            f"        our code, sequential run: {r['our_cpu_seconds_profiled']:.2f} s CPU "
            f"(index {r['our_index_cpu_seconds_profiled']:.2f} s), {r['our_cpu_us_per_role']:.0f} us CPU per role"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _checkov_version() -> str:
    try:
        from checkov.version import version

        return str(version)
    except ImportError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())

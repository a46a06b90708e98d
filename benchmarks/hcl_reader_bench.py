"""The HCL reader alone (no Checkov), per role, on the generated repositories of checkov_bench.py.

    .venvs/checkov/bin/python benchmarks/hcl_reader_bench.py                 # 2,000 and 20,000 roles
    .venvs/checkov/bin/python benchmarks/hcl_reader_bench.py --sizes 2000 --rounds 3

What grows with a repository in our Terraform checks is the HCL reader (``support_role/hcl``): it
parses each module directory of a root and evaluates what Checkov left unevaluated. This times
it alone: the parse of the root module, then, for every role, what the Terraform source asks of
it in the benchmark's repository (the role's trust document, its attachment's role and policy).
The microseconds per role should stay flat from 2,000 to 20,000 roles. A script that prints
figures, not a test (each figure is the least of ``--rounds`` rounds).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(repo: Path, roles: int) -> tuple[float, float]:
    """CPU seconds to parse the repository's root module and to evaluate what each role needs."""
    from checkov_bench import ROLES_PER_MODULE_CALL

    from support_role.hcl._module import ModuleTree
    from support_role.sources.terraform.values import _HclReader, convert

    gc.collect()
    started = time.process_time()
    reader = _HclReader(ModuleTree(str(repo)))
    parsed = time.process_time()
    in_root = roles * 6 // 10
    for i in range(in_root):
        for address, name in (
            (f"aws_iam_role.role_{i}", "assume_role_policy"),
            (f"aws_iam_role_policy_attachment.role_{i}", "policy_arn"),
            (f"aws_iam_role_policy_attachment.role_{i}", "role"),
        ):
            convert(name, reader.attribute(address, name), reader, address.split(".", 1)[0])
    for first in range(in_root, roles, ROLES_PER_MODULE_CALL):
        for k in range(first, min(first + ROLES_PER_MODULE_CALL, roles)):
            address = f'module.team_{first}.aws_iam_role.this["mod-role-{k}"]'
            convert("assume_role_policy", reader.attribute(address, "assume_role_policy"), reader, "aws_iam_role")
    return parsed - started, time.process_time() - parsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated numbers of roles")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per size; the least is shown")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(ROOT))
    from checkov_bench import generate

    with tempfile.TemporaryDirectory(prefix="cissr-reader-") as work:
        for roles in (int(s) for s in args.sizes.split(",") if s.strip()):
            repo = Path(work) / f"repo-{roles}"
            generate(repo, roles)
            runs = [measure(repo, roles) for _ in range(max(1, args.rounds))]
            parse, evaluate = min(runs, key=sum)
            print(
                f"{roles:>7} roles: parse {parse:.2f} s, evaluate {evaluate:.2f} s CPU, "
                f"{(parse + evaluate) / roles * 1e6:.0f} us per role",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

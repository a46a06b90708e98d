"""Checkov's own price of running one of our checks on one resource, our code left out.

    .venvs/checkov/bin/python benchmarks/checkov_run_cost.py            # 5,000 runs per figure
    .venvs/checkov/bin/python benchmarks/checkov_run_cost.py --runs 20000

For every resource of a scan, Checkov's Terraform runner asks its resource registry for the checks
of the resource's type, runs its runner filter for each (``should_run_check``), runs the check,
then omits secrets from the code lines and makes a result record, whatever the result. This
script does exactly that, with Checkov's own registry, runner filter, secret omission and
``Record``, on one ``null_resource`` (a type no built-in check is registered for: only our exists
check, registered for ``*``, runs) and on one ``aws_iam_role`` (Checkov's built-in checks, plus our
four), with our checks loaded and not, and with Checkov's root logger at DEBUG (as ``checkov``
leaves it: its ``logging_init`` formats every DEBUG line into an in-memory stream even with
``LOG_LEVEL=ERROR``) and at WARNING (for the measurement only). Our glue is replaced by a function
that answers "no result" at once, so what is measured is Checkov's price of a check run, not ours.

A script that prints figures, not a test: they depend on the machine and its load (each figure is
the least of ``--rounds`` rounds).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHECKS_DIR = ROOT / "checkov_checks"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5000, help="resources scanned per figure (default 5000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; each figure is the least (default 2)")
    args = parser.parse_args(argv)

    import checkov.logging_init  # noqa: F401  (Checkov's logging set-up, as in a real run)
    from checkov.common.output.record import Record
    from checkov.common.output.report import Report
    from checkov.common.util.secrets import omit_secret_value_from_checks
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.checks.resource.registry import resource_registry

    sys.path.insert(0, str(ROOT))
    import support_role.checkov_glue as glue
    from support_role.checkov_glue.outcomes import NOT_APPLICABLE

    glue.terraform_outcome = lambda *a, **k: NOT_APPLICABLE  # type: ignore[assignment]  # our code left out
    runner_filter = RunnerFilter(framework=["terraform"])

    def scan(entity_type: str) -> float:
        """Microseconds of CPU per resource of ``entity_type``: registry scan, secrets, record."""
        report = Report("terraform")
        conf: dict[str, Any] = {"name": ["x"], "__address__": f"{entity_type}.n", "__start_line__": 1}
        entity = {entity_type: {"n": conf}}
        started = time.process_time()
        for _ in range(args.runs):
            results = resource_registry.scan("/main.tf", entity, [], runner_filter)
            for check, result in results.items():
                lines = omit_secret_value_from_checks(
                    check=check,
                    check_result=result,
                    entity_code_lines=[],
                    entity_config=conf,
                    resource_attributes_to_omit=runner_filter.resource_attr_to_omit,
                )
                record = Record(
                    check_id=check.id,
                    bc_check_id=check.bc_id,
                    check_name=check.name,
                    check_result=result,
                    code_block=lines,
                    file_path="/main.tf",
                    file_line_range=[1, 3],
                    resource=f"{entity_type}.n",
                    evaluations=None,
                    check_class=check.__class__.__module__,
                    file_abs_path="/repo/main.tf",
                    entity_tags=None,
                    severity=check.severity,
                    details=check.details,
                )
                report.add_record(record)
        return (time.process_time() - started) / args.runs * 1e6

    def drop_ours() -> None:
        for table in (resource_registry.checks, resource_registry.wildcard_checks):
            for key in list(table):
                table[key] = [c for c in table[key] if not c.id.startswith("CKV_CISSR_")]
                if not table[key]:
                    del table[key]

    root = logging.getLogger()
    debug_level = root.level
    figures: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for ours in (False, True):
            drop_ours()
            if ours:
                resource_registry.load_external_checks(str(CHECKS_DIR))
            for level, level_name in ((debug_level, "DEBUG (as checkov leaves it)"), (logging.WARNING, "WARNING")):
                root.setLevel(level)
                for entity_type in ("null_resource", "aws_iam_role"):
                    label = f"{entity_type:14} {'with' if ours else 'without':7} our checks, root logger {level_name}"
                    figures.setdefault(label, []).append(scan(entity_type))
            root.setLevel(debug_level)
    for label, values in figures.items():
        print(f"{label:75} {min(values):8.1f} us per resource")
    best = {label: min(values) for label, values in figures.items()}

    def cost(entity_type: str, level: str) -> float:
        with_ours = next(v for k, v in best.items() if k.startswith(entity_type) and " with " in k and level in k)
        without = next(v for k, v in best.items() if k.startswith(entity_type) and "without" in k and level in k)
        return with_ours - without

    for level in ("DEBUG", "WARNING"):
        exists_run = cost("null_resource", level)
        per_role_run = (cost("aws_iam_role", level) - exists_run) / 3
        # the benchmark's 2,000-role repository: 4,240 resources (exists check on each) and 2,000 roles
        total = 4240 * exists_run + 6000 * per_role_run
        print(
            f"root logger {level}: exists check {exists_run:.1f} us per resource, a per-role check "
            f"{per_role_run:.1f} us per role: {total / 1e6:.2f} s CPU on the 2,000-role benchmark repository"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Checkov's own price of running one of our checks on one resource, our code left out.

    .venvs/checkov/bin/python benchmarks/checkov_run_cost.py            # 5,000 runs per figure
    .venvs/checkov/bin/python benchmarks/checkov_run_cost.py --runs 20000

For every resource of a scan, Checkov's Terraform runner asks its resource registry for the checks
of the resource's type, runs its runner filter for each (``should_run_check``), runs the check,
then omits secrets from the code lines and makes a result record, whatever the result. This
script does exactly that, with Checkov's own registry, runner filter, secret omission and
``Record``, on one ``null_resource`` (a type no built-in check is registered for: only our exists
check runs there, when it is registered for ``*``) and on one ``aws_iam_role`` (Checkov's built-in
checks, plus ours), without our checks, with them loaded under the default settings (the exists
check registered for ``terraform_data`` only) and loaded with ``support_role_account_baseline_paths``
(registered for ``*``), and with Checkov's root logger at DEBUG (as ``checkov``
leaves it: its ``logging_init`` formats every DEBUG line into an in-memory stream even with
``LOG_LEVEL=ERROR``) and at WARNING (for the measurement only). Our glue is replaced by a function
that answers "no result" at once, so what is measured is Checkov's price of a check run, not ours.

A script that prints figures, not a test: they depend on the machine and its load (each figure is
the least of ``--rounds`` rounds).
"""

from __future__ import annotations

import argparse
import logging
import os
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
    from support_role import RULES
    from support_role._config import INLINE_CONFIG_ENV
    from support_role.checkov_glue import forget_check
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
        for rule in RULES:
            forget_check(resource_registry, rule.checkov_id)

    settings = {
        "without": None,
        "default": "{}",
        "paths": '{"support_role_account_baseline_paths": ["**"]}',  # every root a baseline: `*`
    }
    root = logging.getLogger()
    debug_level = root.level
    figures: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for state, inline in settings.items():
            drop_ours()
            if inline is not None:
                os.environ[INLINE_CONFIG_ENV] = inline
                resource_registry.load_external_checks(str(CHECKS_DIR))  # registers under these settings
            for level, level_name in ((debug_level, "DEBUG (as checkov leaves it)"), (logging.WARNING, "WARNING")):
                root.setLevel(level)
                for entity_type in ("null_resource", "aws_iam_role"):
                    label = f"{entity_type:14} {state:7} {level_name}"
                    figures.setdefault(label, []).append(scan(entity_type))
            root.setLevel(debug_level)
    print("resource type, our checks (without / default settings / baseline paths), Checkov's root logger:")
    for label, values in figures.items():
        print(f"{label:55} {min(values):8.1f} us per resource")
    best = {label: min(values) for label, values in figures.items()}

    def figure(entity_type: str, state: str, level: str) -> float:
        return next(v for k, v in best.items() if k.split()[:2] == [entity_type, state] and level in k)

    for level in ("DEBUG", "WARNING"):
        per_role_run = (figure("aws_iam_role", "default", level) - figure("aws_iam_role", "without", level)) / 3
        for state in ("default", "paths"):
            exists_run = figure("null_resource", state, level) - figure("null_resource", "without", level)
            # the benchmark's 2,000-role repository: 4,240 resources (exists check on each when it
            # is registered for `*`) and 2,000 roles (three per-role checks on each)
            total = 4240 * exists_run + 6000 * per_role_run
            print(
                f"root logger {level}, {state} settings: exists check {exists_run:.1f} us per resource, "
                f"a per-role check {per_role_run:.1f} us per role: {total / 1e6:.2f} s CPU on the 2,000-role "
                "benchmark repository"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How many verdicts each path leaves UNKNOWN over the corpus (the closing figures of issue 9).

    python -m tests.e2e.measure_references [--no-prowler] [--jobs N] [--keep DIR]

Runs the corpus parity run with the root module written by reference (``tests/e2e/paths.py``,
``references=True``): the by-reference HCL, the plan of the fresh account before apply, the plan
after apply, CloudFormation and (unless ``--no-prowler``) the live account. Prints, per path, the
verdicts reported, how many are UNKNOWN, and how many differ from the corpus.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from support_role.scenarios import load_corpus
from tests.e2e.batches import plan_batches
from tests.e2e.paths import Run, differences, unknown_counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-prowler", action="store_true", help="skip the Prowler scan of the live accounts")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="measure-references-"))
    corpus = load_corpus()
    batches = plan_batches(corpus)
    run = Run(work, batches, jobs=args.jobs, references=True, prowler=not args.no_prowler, log=print)
    run.execute()
    problems = differences(run, reference="corpus")
    print(f"\n{len(corpus)} scenarios in {len(batches)} accounts ({work}); {run.timings.summary()}")
    print(f"{'path':24} {'verdicts':>8} {'UNKNOWN':>8} {'differ':>7}")
    for path, (total, unknown) in sorted(unknown_counts(run).items()):
        differ = sum(1 for line in problems if f" {path} says " in line or f"{path} did not run" in line)
        print(f"{path:24} {total:8} {unknown:8} {differ:7}")
    for line in problems:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

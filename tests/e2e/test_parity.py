"""One answer everywhere: every corpus scenario, through every path, with the real tools.

Each scenario is rendered as Terraform and CloudFormation; Checkov scans the HCL, the JSON of a
real ``terraform plan`` and the template; ``terraform apply`` creates the account on a local moto
server and the Prowler CLI with our plugin scans it. Every rule's verdict (status and problem
codes) for every role and for the account must equal the corpus on every path; a difference
names the scenario, the role, the rule and the two paths (the corpus and the scanner path).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support_role.scenarios import load_corpus
from tests.e2e.batches import plan_batches
from tests.e2e.paths import Run, differences

pytestmark = pytest.mark.slow


def test_every_path_gives_the_corpus_verdicts(
    checkov_cli: Path, prowler_python: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = load_corpus()
    batches = plan_batches(corpus)
    run = Run(tmp_path, batches, jobs=int(os.environ.get("CIS_SUPPORT_ROLE_E2E_JOBS", "2")), log=print)
    run.execute()
    with capsys.disabled():
        print(f"\ncorpus parity: {len(corpus)} scenarios in {len(batches)} accounts; {run.timings.summary()}")
        if run.terraform_missing:
            print(f"terraform paths skipped: {run.terraform_missing}")
    problems = differences(run, reference="corpus")
    assert problems == [], "\n".join(problems)

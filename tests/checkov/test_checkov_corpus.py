"""Every corpus scenario, through every Checkov path, gives the corpus's verdicts on the right
resources.

Paths: Terraform HCL in five styles (the fifth, ``references``, writes principals and policies by
reference, as most Terraform code does), Terraform plan JSON (real ``terraform plan`` output) in the
same five styles (the references plan is the fresh plan of a pull request, scanned alone),
CloudFormation in three styles (YAML with ``!Sub``, JSON with JSON-string trust documents, CDK
``cdk.out`` output). For each, the exact set of resources each of our checks passed and failed, and
the status and problem codes our checks recorded for each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support_role.localaws import TerraformMissing, terraform_cli
from tests.checkov.conftest import CORPUS, PATHS, CorpusRun, by_check, results_table
from tests.checkov.generate_plans import PLANS_DIR, REGENERATE, generate_plan, plan_path, read_manifest, stale

CASES = [(framework, style, s.name) for framework, style in PATHS for s in CORPUS]

# corpus_run is session-scoped and scans the whole corpus: one worker builds it, once.
pytestmark = pytest.mark.xdist_group("checkov-corpus-run")


@pytest.mark.parametrize(("framework", "style", "scenario"), CASES, ids=["/".join(c) for c in CASES])
def test_checkov_gives_the_corpus_verdicts(corpus_run: CorpusRun, framework: str, style: str, scenario: str) -> None:
    if framework == "terraform_plan" and (style, scenario) in corpus_run.missing_plans:
        pytest.skip(corpus_run.missing_plans[(style, scenario)])
    expected = corpus_run.expected[(framework, style, scenario)]
    got = results_table(corpus_run.results.get((framework, style, scenario), []))
    assert by_check(got) == by_check(expected)  # the exact passing and failing resources per check
    assert got == expected  # and, for each, the status and problem codes of the core's verdict


def test_the_corpus_run_scanned_every_scenario_every_way(corpus_run: CorpusRun) -> None:
    scanned = {key for key in corpus_run.results}
    wanted = {c for c in CASES if not (c[0] == "terraform_plan" and (c[1], c[2]) in corpus_run.missing_plans)}
    assert wanted - scanned == set()
    assert scanned - wanted == set()


def test_committed_plans_are_made_from_the_current_corpus_and_renderer() -> None:
    outdated = [f"{style}/{scenario.name}" for scenario, style in stale(CORPUS)]
    assert outdated == [], f"regenerate with: {REGENERATE}"


def test_no_committed_plan_is_left_from_a_scenario_that_left_the_corpus() -> None:
    names = {s.name for s in CORPUS}
    leftovers = sorted(str(p.relative_to(PLANS_DIR)) for p in PLANS_DIR.glob("*/*.json") if p.stem not in names)
    assert leftovers == []
    assert sorted(k for k in read_manifest() if k.split("/", 1)[1] not in names) == []


def test_a_regenerated_plan_equals_the_committed_one(tmp_path: Path) -> None:
    """The committed plan JSON is what a real terraform plan of the rendered scenario gives."""
    try:
        terraform_cli()
    except TerraformMissing as error:
        pytest.skip(f"terraform cannot run here ({error}); the committed plans are used as they are")
    scenario = next(s for s in CORPUS if s.name == "mixed-verdicts")
    committed = json.loads(plan_path("modules", scenario.name).read_text(encoding="utf-8"))
    fresh = generate_plan(scenario, "modules", tmp_path)
    assert {k: v for k, v in fresh.items() if k != "terraform_version"} == {
        k: v for k, v in committed.items() if k != "terraform_version"
    }
    assert fresh["planned_values"]["root_module"]["child_modules"]  # really planned, modules and all

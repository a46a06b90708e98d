"""Fixtures of the Checkov tests: the whole corpus rendered every way and scanned by real Checkov.

The corpus run renders every scenario as Terraform HCL (four styles, and the ``references`` style
that writes principals and policies by reference), as plan JSON (the same five styles, from real
``terraform plan`` runs committed under ``plans/``; the references plans are fresh plans, made
against an empty account and never applied, scanned alone) and as CloudFormation (three styles),
groups the scenarios by their configuration (one configuration per Checkov run, as in real use), and
scans each group with Checkov's own runners in strict mode, so that every verdict, UNKNOWN included,
is reported and can be compared with the corpus.

Nothing here imports Checkov at module level: the tests of the translation functions run in the base
environment too.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support_role.localaws import TerraformMissing, terraform_cli
from support_role.scenarios import Scenario, load_corpus
from tests.renderers import cloudformation as cfn_renderer
from tests.renderers import terraform as tf_renderer
from tests.support.tools import CHECKOV_ENV, ROOT

# Read by Checkov when it is first imported (its env_vars_config), which happens after this file.
for _name, _value in CHECKOV_ENV.items():
    os.environ.setdefault(_name, _value)

CORPUS: list[Scenario] = load_corpus()
TF_STYLES = (*tf_renderer.STYLES, tf_renderer.REFERENCES)
CFN_STYLES = cfn_renderer.STYLES
# (framework, style) of every path a scenario is replayed through.
PATHS: tuple[tuple[str, str], ...] = (
    *(("terraform", s) for s in TF_STYLES),
    *(("terraform_plan", s) for s in TF_STYLES),
    *(("cloudformation", s) for s in CFN_STYLES),
)


@dataclass
class CorpusRun:
    """What Checkov reported, per (framework, style, scenario), and where each result should be."""

    results: dict[tuple[str, str, str], list[object]] = field(default_factory=dict)
    expected: dict[tuple[str, str, str], dict[tuple[str, str], tuple[str, str]]] = field(default_factory=dict)
    missing_plans: dict[tuple[str, str], str] = field(default_factory=dict)
    generated_plans: list[str] = field(default_factory=list)


def _group_key(scenario: Scenario) -> str:
    return json.dumps(dict(scenario.config), sort_keys=True)


def _status_of(verdict: str) -> str:
    """The Checkov result a verdict gives in strict mode."""
    return "PASSED" if verdict.startswith("PASS") else "FAILED"


def _expected_terraform(
    scenario: Scenario, rendered: tf_renderer.RenderedTerraform
) -> dict[tuple[str, str], tuple[str, str]]:
    from support_role import EXISTS, PER_ROLE_RULES, RULES_BY_ID

    out: dict[tuple[str, str], tuple[str, str]] = {}
    for spec in scenario.roles:
        for rule in PER_ROLE_RULES:
            expectation = scenario.expectation(spec.name, rule)
            if expectation.status != "NA":
                verdict = str(expectation)
                out[(RULES_BY_ID[rule].checkov_id, rendered.role_addresses[spec.name])] = (_status_of(verdict), verdict)
    for permission_set in scenario.permission_sets:
        for rule in PER_ROLE_RULES:
            expectation = scenario.expectation(permission_set.key, rule)
            if expectation.status != "NA":
                verdict = str(expectation)
                address = rendered.permission_set_addresses[permission_set.name]
                out[(RULES_BY_ID[rule].checkov_id, address)] = (_status_of(verdict), verdict)
    carrier = rendered.exists_carrier
    assert carrier is not None, f"{scenario.name}: the rendered root module has no resource"
    verdict = str(scenario.expect_exists)
    out[(RULES_BY_ID[EXISTS].checkov_id, carrier)] = (_status_of(verdict), verdict)
    return out


def _expected_cloudformation(
    scenario: Scenario, rendered: cfn_renderer.RenderedCloudFormation
) -> dict[tuple[str, str], tuple[str, str]]:
    from support_role import EXISTS, PER_ROLE_RULES, RULES_BY_ID

    out: dict[tuple[str, str], tuple[str, str]] = {}
    for spec in scenario.roles:
        for rule in PER_ROLE_RULES:
            expectation = scenario.expectation(spec.name, rule)
            if expectation.status != "NA":
                verdict = str(expectation)
                resource = rendered.checkov_resource(rendered.role_ids[spec.name])
                out[(RULES_BY_ID[rule].checkov_id, resource)] = (_status_of(verdict), verdict)
    for permission_set in scenario.permission_sets:
        for rule in PER_ROLE_RULES:
            expectation = scenario.expectation(permission_set.key, rule)
            if expectation.status != "NA":
                verdict = str(expectation)
                resource = rendered.checkov_resource(rendered.permission_set_ids[permission_set.name])
                out[(RULES_BY_ID[rule].checkov_id, resource)] = (_status_of(verdict), verdict)
    carrier = rendered.exists_carrier
    assert carrier is not None
    verdict = str(scenario.expect_exists)
    out[(RULES_BY_ID[EXISTS].checkov_id, rendered.checkov_resource(carrier))] = (_status_of(verdict), verdict)
    return out


def _plan_for(scenario: Scenario, style: str, scratch: Path, run: CorpusRun) -> dict[str, object] | None:
    """The committed plan when it was made from the current rendering, else a fresh one (or None)."""
    from tests.checkov import generate_plans as gp

    committed = gp.plan_path(style, scenario.name)
    if committed.exists() and gp.read_manifest().get(gp.plan_key(style, scenario.name)) == gp.source_digest(
        scenario, style
    ):
        return dict(json.loads(committed.read_text(encoding="utf-8")))
    try:
        terraform_cli()
    except TerraformMissing as error:
        run.missing_plans[(style, scenario.name)] = (
            f"the committed plan {committed.relative_to(ROOT)} is missing or stale and it cannot be regenerated "
            f"here ({error}); run: {gp.REGENERATE}"
        )
        return None
    run.generated_plans.append(gp.plan_key(style, scenario.name))
    return gp.generate_plan(scenario, style, scratch / f"{style}-{scenario.name}")


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    from tests.support.checkov import environment, run_runner, write_config, write_files

    run = CorpusRun()
    base = tmp_path_factory.mktemp("corpus")
    groups: dict[str, list[Scenario]] = {}
    for scenario in CORPUS:
        groups.setdefault(_group_key(scenario), []).append(scenario)
    for number, scenarios in enumerate(groups.values()):
        group = base / f"g{number}"
        for scenario in scenarios:
            for style in TF_STYLES:
                rendered = tf_renderer.render_scenario(scenario, style)
                write_files(group / "tf" / style / scenario.name, rendered.files)
                expected = _expected_terraform(scenario, rendered)
                run.expected[("terraform", style, scenario.name)] = expected
                plan = _plan_for(scenario, style, base / "scratch", run)
                if plan is not None:
                    path = group / "plan" / style / f"{scenario.name}.json"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(json.dumps(plan), encoding="utf-8")
                    run.expected[("terraform_plan", style, scenario.name)] = expected
            for style in CFN_STYLES:
                rendered_cfn = cfn_renderer.render_scenario(scenario, style)
                write_files(group / "cfn" / style / scenario.name, rendered_cfn.files)
                run.expected[("cloudformation", style, scenario.name)] = _expected_cloudformation(
                    scenario, rendered_cfn
                )
        config: dict[str, object] = dict(scenarios[0].config)
        config["support_role_strict_unknown"] = True
        config["support_role_account_baseline_paths"] = [
            str(group / "tf" / "inline" / "*"),
            str(group / "tf" / "resources" / "*"),
            str(group / "plan" / "inline" / "*.json"),
            str(group / "plan" / "resources" / "*.json"),
            str(group / "tf" / tf_renderer.REFERENCES / "*"),
            str(group / "plan" / tf_renderer.REFERENCES / "*.json"),
            str(group / "cfn" / "yaml" / "*"),
            str(group / "cfn" / "cdk" / "*" / "cdk.out"),
        ]
        config_file = write_config(group / "config.json", config)
        with environment(CIS_SUPPORT_ROLE_CONFIG=str(config_file)):
            for framework, folder in (("terraform", "tf"), ("terraform_plan", "plan"), ("cloudformation", "cfn")):
                if not (group / folder).exists():
                    continue
                for result in run_runner(framework, group / folder):
                    style, scenario_name = result.parts[0], result.parts[1]
                    if framework == "terraform_plan":
                        scenario_name = Path(scenario_name).stem
                    run.results.setdefault((framework, style, scenario_name), []).append(result)
    shutil.rmtree(base / "scratch", ignore_errors=True)
    return run


def results_table(results: list[object]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(check id, resource): (Checkov status, verdict)} of a list of harness Results."""
    table: dict[tuple[str, str], tuple[str, str]] = {}
    for result in results:
        key = (result.check_id, result.resource)  # type: ignore[attr-defined]
        assert key not in table, f"two results for {key}"
        table[key] = (result.status, result.verdict)  # type: ignore[attr-defined]
    return table


def by_check(table: Mapping[tuple[str, str], tuple[str, str]]) -> dict[str, dict[str, set[str]]]:
    """{check id: {PASSED: resources, FAILED: resources}}: the exact sets the tests compare."""
    out: dict[str, dict[str, set[str]]] = {}
    for (check_id, resource), (status, _) in table.items():
        out.setdefault(check_id, {"PASSED": set(), "FAILED": set()}).setdefault(status, set()).add(resource)
    return out

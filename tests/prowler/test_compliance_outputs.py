"""Our compliance frameworks in every Prowler output, from one real ``prowler`` CLI run on a moto account:
the compliance CSV of each framework, ASFF (Security Hub) and ``prowler dashboard`` over HTTP.

The scenario is the corpus's ``several-support-roles``: one account finding and three roles, each judged
by three checks (10 findings, 3 of them FAIL). Every framework has one requirement mapping all four
checks, so each output must show that requirement with all ten findings.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prowler_checks.generate import FRAMEWORK_NAMES, SECURITY_HUB_NAME, cis_framework_name
from support_role import CIS_CONTROL, EXISTS, RULES_BY_ID
from support_role.localaws import IamQueryClient, MotoServer, free_port, region_for, seed_scenario
from support_role.scenarios import load_corpus
from tests.support import tools

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
SCENARIO = next(s for s in load_corpus() if s.name == "several-support-roles")
ACCOUNT = SCENARIO.account_id
OUTPUT_NAME = "scan"  # no "_": the dashboard takes what precedes the first "_" as the scan's name
ICON = {"PASS": "✅", "FAIL": "❌"}


def _expected_findings() -> set[tuple[str, str, str]]:
    """(check ID, resource ARN, status) of every finding, from the corpus's expectations."""
    rows = {(RULES_BY_ID[EXISTS].prowler_id, f"arn:aws:iam::{ACCOUNT}:root", SCENARIO.expect_exists.status)}
    for role, verdicts in SCENARIO.expect_roles.items():
        for rule_id, expected in verdicts.items():
            if expected.status != "NA":
                rows.add((RULES_BY_ID[rule_id].prowler_id, f"arn:aws:iam::{ACCOUNT}:role/{role}", expected.status))
    assert len(rows) == 10 and {status for _, _, status in rows} == {"PASS", "FAIL"}
    return rows


EXPECTED = _expected_findings()
REQUIREMENT = {cis_framework_name(v): n for v, n in CIS_CONTROL.items()} | {SECURITY_HUB_NAME: "IAM.18"}


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``<tmp>/output``: what ``prowler aws --compliance <all ours> -M csv json-asff`` wrote."""
    folder = tmp_path_factory.mktemp("prowler") / "output"
    with MotoServer(tools.moto_command(), account_id=ACCOUNT, partition=SCENARIO.partition) as server:
        seed_scenario(IamQueryClient(server.url, region_for(SCENARIO.partition)), SCENARIO)
        compliance = ("--compliance", *FRAMEWORK_NAMES, "-M", "csv", "json-asff", "-z")
        result = tools.run_prowler(server, folder, *compliance, name=OUTPUT_NAME)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return folder


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_each_compliance_csv_holds_its_requirement_with_every_finding(output: Path, framework: str) -> None:
    rows = _rows(output / "compliance" / f"{OUTPUT_NAME}_{framework}.csv")
    assert {row["REQUIREMENTS_ID"] for row in rows} == {REQUIREMENT[framework]}
    assert {(r["CHECKID"], r["RESOURCEID"], r["STATUS"]) for r in rows} == EXPECTED
    assert len(rows) == len(EXPECTED)  # one row per finding: nothing repeated, nothing dropped
    section = "IAM" if framework == SECURITY_HUB_NAME else f"{REQUIREMENT[framework][0]} Identity and Access Management"
    assert {row["REQUIREMENTS_ATTRIBUTES_SECTION"] for row in rows} == {section}


def test_asff_names_every_cis_version_and_iam_18_on_each_finding(output: Path) -> None:
    findings = json.loads((output / f"{OUTPUT_NAME}.asff.json").read_text(encoding="utf-8"))
    expected = sorted(
        [f"CIS-Support-Role-{version} {number}" for version, number in CIS_CONTROL.items()]
        + ["AWS-Security-Hub-Support-Role IAM.18"]
    )
    ours = [f for f in findings if f["GeneratorId"].startswith("prowler-iam_cis_support_role_")]
    assert len(ours) == len(EXPECTED)
    for finding in ours:
        assert sorted(finding["Compliance"]["RelatedRequirements"]) == expected
        standards = sorted(s["StandardsId"] for s in finding["Compliance"]["AssociatedStandards"])
        assert standards == sorted(line.rsplit(" ", 1)[0] for line in expected)


# ------------------------------------------------------------------------------------------ dashboard
class Dashboard:
    """Prowler's dashboard app (tests/prowler/dashboard_server.py) on 127.0.0.1, spoken to as its page does."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dependencies: list[dict[str, Any]] = self._get("/_dash-dependencies")

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=120) as answer:
            return json.load(answer)

    def page(self, path: str) -> Any:
        """The layout of a page, as Dash's router returns it when the browser goes to ``path``."""
        return self.callback("_pages_content", {"_pages_location.pathname": path, "_pages_location.search": ""})

    def callback(self, output_id: str, values: dict[str, Any]) -> Any:
        """Call the callback that updates ``output_id``, with ``values`` ({"id.property": value}) as inputs."""
        (dependency,) = [d for d in self.dependencies if output_id in [i for i, _ in _outputs(d)]]
        outputs = _outputs(dependency)
        inputs = [
            {"id": i["id"], "property": i["property"], "value": values[f"{i['id']}.{i['property']}"]}
            for i in dependency["inputs"]
        ]
        body = {
            "output": dependency["output"],
            "outputs": [{"id": o, "property": p} for o, p in outputs],
            "inputs": inputs,
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
            "state": [],
        }
        request = urllib.request.Request(
            self.url + "/_dash-update-component", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=300) as answer:
            return json.load(answer)["response"]


def _outputs(dependency: dict[str, Any]) -> list[tuple[str, str]]:
    """(component ID, property) of each output: Dash writes several as "..a.children...b.data.."."""
    parts = str(dependency["output"]).strip(".").split("...")
    return [(part.rsplit(".", 1)[0], part.rsplit(".", 1)[1]) for part in parts]


def _components(node: Any, kind: str) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == kind:
            yield node["props"]
        for value in node.values():
            yield from _components(value, kind)
    elif isinstance(node, list):
        for value in node:
            yield from _components(value, kind)


@pytest.fixture(scope="module")
def dashboard(output: Path) -> Iterator[Dashboard]:
    port = free_port()
    log = output.parent / "dashboard.log"
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(
            [sys.executable, str(HERE / "dashboard_server.py"), str(port)],
            cwd=output.parent,  # the dashboard reads ./output and ./output/compliance
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                app = Dashboard(url)
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(encoding="utf-8")[-2000:]
                    raise RuntimeError(f"the dashboard did not start: {tail}") from None
                time.sleep(1)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _dashboard_name(framework: str) -> str:
    return framework.upper().replace("_AWS", " - AWS")


def test_the_dashboard_offers_each_framework_once_and_no_invented_level(dashboard: Dashboard) -> None:
    page = dashboard.page("/compliance")
    (dropdown,) = [d for d in _components(page, "Dropdown") if d.get("id") == "report-compliance-filter"]
    offered = sorted(option["value"] for option in dropdown["options"])
    assert offered == sorted(_dashboard_name(name) for name in FRAMEWORK_NAMES)
    assert not any("LEVEL" in name for name in offered)


@pytest.mark.parametrize("framework", FRAMEWORK_NAMES)
def test_the_dashboard_renders_the_requirement_with_every_finding(dashboard: Dashboard, framework: str) -> None:
    page = dashboard.page("/compliance")
    (date,) = [d for d in _components(page, "Dropdown") if d.get("id") == "date-filter-analytics"]
    view = dashboard.callback(
        "output",
        {
            "report-compliance-filter.value": _dashboard_name(framework),
            "cloud-account-filter-compliance.value": ["All"],
            "region-filter-compliance.value": ["All"],
            "date-filter-analytics.value": date["value"],
        },
    )
    titles = [item["title"] for item in _components(view, "AccordionItem")]
    requirement = REQUIREMENT[framework]
    assert [t for t in titles if t.startswith(f"{requirement} - ")] == [
        f"{requirement} - Ensure a support role has been created to manage incidents with AWS Support"
    ]
    (table,) = list(_components(view, "DataTable"))
    shown = {(row["CHECKID"], row["RESOURCEID"], row["STATUS"]) for row in table["data"]}
    assert shown == {(check, resource, ICON[status]) for check, resource, status in EXPECTED}
    assert len(table["data"]) == len(EXPECTED)

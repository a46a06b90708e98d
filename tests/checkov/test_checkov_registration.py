"""What Checkov hands our checks, under any settings: one registration per check, one result per carrier.

The Terraform exists check (CKV_CISSR_1) is registered for ``*`` whatever the settings (see
``exists_check_resource_types``: a baseline named by path without roles carries its result on a
resource of any type, and a registration that followed the settings gave the marker two results
in a process that loaded the checks under two settings); the per-role checks for roles and
permission sets. Where no result is possible under the settings in force, the exists check
answers at once (``exists_may_carry``), which must not lose or add a result.

One fresh Checkov process loads the checks from disk three times, the way Checkov's runners do
(every ``Runner.run`` with ``external_checks_dir`` executes the check files again), each time
under other settings, and scans ``fixtures/baseline`` (HCL) and a plan JSON with the marker after
each load; then reads Checkov's own registry. A registration that depends on the settings leaves
two entries for CKV_CISSR_1 and gives the plan's marker a second result (Checkov's plan runner
reports both); a fixed registration narrower than ``*`` loses the result of
``accounts/sandbox`` (no IAM at all: its carrier is an ``aws_s3_bucket``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.checkov import CHECKS_DIR, write_config

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(__file__).resolve().parent / "fixtures" / "baseline"
MARKED_PLAN = Path(__file__).resolve().parent / "plans" / "modules" / "groups-only-support-policy.json"
PROBE = """
import json, os, sys
from checkov.runner_filter import RunnerFilter
from checkov.terraform.plan_runner import Runner as PlanRunner
from checkov.terraform.runner import Runner
from checkov.terraform.checks.resource.registry import resource_registry as registry
from tests.support.checkov import results_of

checks_dir, fixture, plans, *configs = sys.argv[1:]
scans = []
for config in configs:
    if config:
        os.environ["CIS_SUPPORT_ROLE_CONFIG"] = config
    else:
        os.environ.pop("CIS_SUPPORT_ROLE_CONFIG", None)
    results = []
    for runner, folder, framework in ((Runner(), fixture, "terraform"), (PlanRunner(), plans, "terraform_plan")):
        report = runner.run(
            root_folder=folder,
            external_checks_dir=[checks_dir],
            runner_filter=RunnerFilter(framework=[framework], checks=["CKV_CISSR_1"]),
        )
        results += [[r.file_path, r.resource, r.status, r.verdict] for r in results_of(report)]
    scans.append(results)
registered = {
    check_id: sorted(entity for entity, check in registry.all_checks() if check.id == check_id)
    for check_id in ("CKV_CISSR_1", "CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4")
}
print(json.dumps({"scans": scans, "registered": registered}))
"""

PLAN_MARKER = ("/plan.json", "terraform_data.cis_support_role_account_baseline")
MARKER = (
    "/marked/main.tf",
    "terraform_data.cis_support_role_account_baseline",
    "FAILED",
    "FAIL no-support-role support-policy-not-on-role",
)
BY_PATH = [
    ("/accounts/dev/main.tf", "aws_iam_role.deploy", "FAILED", "FAIL no-support-role support-policy-not-on-role"),
    ("/accounts/prod/main.tf", "aws_iam_role.breakglass", "PASSED", "PASS"),
    ("/accounts/sandbox/main.tf", "aws_s3_bucket.logs", "FAILED", "FAIL no-support-role"),  # no IAM: first resource
]
# settings that do not read: every root fails once on its carrier, the non-baseline apps/service too
UNREADABLE = [
    ("/accounts/dev/main.tf", "aws_iam_role.deploy", "FAILED", "FAIL invalid-configuration"),
    ("/accounts/prod/main.tf", "aws_iam_role.breakglass", "FAILED", "FAIL invalid-configuration"),
    ("/accounts/sandbox/main.tf", "aws_s3_bucket.logs", "FAILED", "FAIL invalid-configuration"),
    ("/apps/service/main.tf", "aws_iam_role.support", "FAILED", "FAIL invalid-configuration"),
    ("/marked/main.tf", "terraform_data.cis_support_role_account_baseline", "FAILED", "FAIL invalid-configuration"),
]


def test_loading_the_checks_under_several_settings_keeps_one_registration_and_one_result_per_carrier(
    tmp_path: Path,
) -> None:
    by_path = write_config(
        tmp_path / "paths.json", {"support_role_account_baseline_paths": [str(BASELINE / "accounts" / "*")]}
    )
    unreadable = write_config(tmp_path / "bad.json", {"support_role_alow_account_roots": True})
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copyfile(MARKED_PLAN, plans / "plan.json")  # a plan of a root that declares the marker
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            str(CHECKS_DIR),
            str(BASELINE),
            str(plans),
            "",
            str(by_path),
            str(unreadable),
            "",
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LOG_LEVEL": "ERROR", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    scans = [sorted(tuple(result) for result in scan) for scan in probe["scans"]]
    planned = (*PLAN_MARKER, *MARKER[2:])
    assert scans[0] == sorted([MARKER, planned])  # default settings: the in-code markers only
    assert scans[1] == sorted([*BY_PATH, MARKER, planned])
    assert scans[2] == sorted([*UNREADABLE, (*PLAN_MARKER, "FAILED", "FAIL invalid-configuration")])
    assert scans[3] == scans[0]  # the default again, after three loads
    assert probe["registered"] == {
        "CKV_CISSR_1": ["*"],
        "CKV_CISSR_2": ["aws_iam_role", "aws_ssoadmin_permission_set"],
        "CKV_CISSR_3": ["aws_iam_role", "aws_ssoadmin_permission_set"],
        "CKV_CISSR_4": ["aws_iam_role", "aws_ssoadmin_permission_set"],
    }

"""What Checkov hands our checks, under any settings: one registration per check.

The Terraform exists check (CKV_CISSR_1) is registered for ``*`` whatever the settings (see
``exists_check_resource_types``: a registration that followed the settings gave the marker two
results in a process that loaded the checks under two settings); the per-role checks for roles and
permission sets. Each case loads the check module in a fresh Checkov process with
the settings in its environment and reads Checkov's own registry. The semantics under each
registration are proved end to end in ``test_checkov_baseline.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.checkov import write_config

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
import checkov_checks.cis_support_role_terraform
from checkov.terraform.checks.resource.registry import resource_registry as registry

print(json.dumps({
    check_id: sorted(entity for entity, check in registry.all_checks() if check.id == check_id)
    for check_id in ("CKV_CISSR_1", "CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4")
}))
"""


def _registered(settings: dict[str, object] | None, tmp_path: Path) -> dict[str, list[str]]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LOG_LEVEL": "ERROR"}
    if settings is not None:
        env["CIS_SUPPORT_ROLE_CONFIG"] = str(write_config(tmp_path / "config.json", settings))
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300
    )
    registered: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return registered


@pytest.mark.parametrize(
    ("settings", "exists_types"),
    [
        (None, ["*"]),
        ({"support_role_allowed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}, ["*"]),
        ({"support_role_account_baseline_paths": ["accounts/*"]}, ["*"]),
        ({"support_role_alow_account_roots": True}, ["*"]),  # unreadable: fails once per root, any type
    ],
    ids=["default", "no-baseline-paths", "baseline-paths", "invalid-settings"],
)
def test_each_check_is_registered_once_for_the_same_types_under_any_settings(
    tmp_path: Path, settings: dict[str, object] | None, exists_types: list[str]
) -> None:
    registered = _registered(settings, tmp_path)
    assert registered == {
        "CKV_CISSR_1": exists_types,
        "CKV_CISSR_2": ["aws_iam_role", "aws_ssoadmin_permission_set"],
        "CKV_CISSR_3": ["aws_iam_role", "aws_ssoadmin_permission_set"],
        "CKV_CISSR_4": ["aws_iam_role", "aws_ssoadmin_permission_set"],
    }

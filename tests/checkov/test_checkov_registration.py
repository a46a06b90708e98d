"""What Checkov hands our checks, load after load: one registration per check that follows the settings.

The Terraform exists check (CKV_CISSR_1) is registered for what can carry its result under the
settings in force when Checkov executes the check file: the marker's type ``terraform_data``
without ``support_role_account_baseline_paths``, every type (``*``) with them or with settings
that do not read (``exists_check_resource_types``). Checkov keeps the first registration of a
check ID per entity, so every load first forgets the earlier load's checks (``forget_check``).
Settings changed after a load without a new load are reported, never silently lost.

One fresh Checkov process loads the checks from disk four times, the way Checkov's runners do
(every ``Runner.run`` with ``external_checks_dir`` executes the check files again), each time
under other settings, scans ``fixtures/baseline`` (HCL) and a plan JSON with the marker, and reads
Checkov's own registry after each; then it changes the settings and scans again without loading.
Without the forgetting the default load after a ``*`` one leaves two registrations and gives the
plan's marker two results; a registration that did not follow the settings either costs every
resource a check run or loses the result of ``accounts/sandbox`` (no IAM at all: its carrier is
an ``aws_s3_bucket``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from support_role.checkov_glue.registry import REGISTRY_TABLES, forget_check
from tests.support.checkov import CHECKS_DIR, write_config

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(__file__).resolve().parent / "fixtures" / "baseline"
MARKED_PLAN = Path(__file__).resolve().parent / "plans" / "modules" / "groups-only-support-policy.json"
PROBE = """
import json, logging, os, sys
from checkov.runner_filter import RunnerFilter
from checkov.terraform.plan_runner import Runner as PlanRunner
from checkov.terraform.runner import Runner
from checkov.terraform.checks.resource.registry import resource_registry as registry
from tests.support.checkov import results_of

errors = []
class Collect(logging.Handler):
    def emit(self, record):
        if record.levelno >= logging.ERROR:
            errors.append(record.getMessage())
logging.getLogger("cis_support_role.checkov").addHandler(Collect())

checks_dir, fixture, plans, *configs = sys.argv[1:]
phases = []
for config in configs:
    load = not config.startswith("noload:")
    config = config.removeprefix("noload:")
    if config:
        os.environ["CIS_SUPPORT_ROLE_CONFIG"] = config
    else:
        os.environ.pop("CIS_SUPPORT_ROLE_CONFIG", None)
    results = []
    for runner, folder, framework in ((Runner(), fixture, "terraform"), (PlanRunner(), plans, "terraform_plan")):
        report = runner.run(
            root_folder=folder,
            external_checks_dir=[checks_dir] if load else None,
            runner_filter=RunnerFilter(framework=[framework], checks=["CKV_CISSR_1"]),
        )
        results += [[r.file_path, r.resource, r.status, r.verdict] for r in results_of(report)]
    latest = sys.modules["cis_support_role_terraform"].checks  # the instances of the last load
    registered = {
        check_id: sorted(
            [entity, any(check is instance for instance in latest)]
            for entity, check in registry.all_checks()
            if check.id == check_id
        )
        for check_id in ("CKV_CISSR_1", "CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4")
    }
    wildcards = {entity: [check.id for check in checks] for entity, checks in registry.wildcard_checks.items()}
    phases.append({"results": results, "registered": registered, "wildcards": wildcards, "errors": errors[:]})
    errors.clear()
print(json.dumps(phases))
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
PER_ROLE = [["aws_iam_role", True], ["aws_ssoadmin_permission_set", True]]
STALE_ERROR = (
    "cis-support-role: the settings changed after Checkov loaded the checks: CKV_CISSR_1 is registered for "
    "terraform_data only (the settings at load named no support_role_account_baseline_paths and read), but the "
    "settings in force now name baseline paths or do not read, so a baseline root whose result falls on "
    "another resource type gets no result in this scan. Load the checks again after changing the settings "
    "(run checkov again, or Runner.run with external_checks_dir)."
)


def _registered(exists_entity: str) -> dict[str, list[list[object]]]:
    """Exactly one registration per check, each an instance of the last load."""
    return {
        "CKV_CISSR_1": [[exists_entity, True]],
        "CKV_CISSR_2": PER_ROLE,
        "CKV_CISSR_3": PER_ROLE,
        "CKV_CISSR_4": PER_ROLE,
    }


def test_every_load_leaves_one_registration_that_follows_its_settings_and_one_result_per_carrier(
    tmp_path: Path,
) -> None:
    by_path = write_config(
        tmp_path / "paths.json", {"support_role_account_baseline_paths": [str(BASELINE / "accounts" / "*")]}
    )
    unreadable = write_config(tmp_path / "bad.json", {"support_role_alow_account_roots": True})
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copyfile(MARKED_PLAN, plans / "plan.json")  # a plan of a root that declares the marker
    settings = ["", str(by_path), str(unreadable), "", f"noload:{by_path}"]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(CHECKS_DIR), str(BASELINE), str(plans), *settings],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LOG_LEVEL": "ERROR", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    phases = json.loads(done.stdout.strip().splitlines()[-1])
    scans = [sorted(tuple(result) for result in phase["results"]) for phase in phases]
    planned = (*PLAN_MARKER, *MARKER[2:])
    default = sorted([MARKER, planned])  # default settings: the in-code markers only
    stale = ("FAILED", "FAIL invalid-configuration")
    expected = [
        default,
        sorted([*BY_PATH, MARKER, planned]),
        sorted([*UNREADABLE, (*PLAN_MARKER, "FAILED", "FAIL invalid-configuration")]),
        default,  # the default again after a `*` load: the earlier registration is gone, one result each
        # baseline paths set without loading the checks again: the accounts/* roots cannot be
        # reached; the markers the check still sees fail and say why
        sorted([(*MARKER[:2], *stale), (*PLAN_MARKER, *stale)]),
    ]
    assert scans == expected
    # the exists check on the marker's type alone without baseline paths, on `*` with them or with
    # settings that do not read; then no wildcard is left in the registry (Checkov's built-in
    # Terraform checks register none, so its get_checks keeps its one-lookup path)
    assert [phase["registered"] for phase in phases] == [
        _registered("terraform_data"),
        _registered("*"),
        _registered("*"),
        _registered("terraform_data"),
        _registered("terraform_data"),  # no load: the registration of the fourth load
    ]
    assert [phase["wildcards"] for phase in phases] == [{}, {"*": ["CKV_CISSR_1"]}, {"*": ["CKV_CISSR_1"]}, {}, {}]
    assert [phase["errors"] for phase in (phases[0], phases[1], phases[3], phases[4])] == [[], [], [], [STALE_ERROR]]
    assert len(phases[2]["errors"]) == 1  # the refused configuration's own line, once; no stale registration
    assert phases[2]["errors"][0].startswith("cis-support-role configuration error: ")


def test_forget_check_relies_on_what_checkov_registries_do() -> None:
    """The attributes :func:`forget_check` edits, and what Checkov does with them (Checkov 3.3.30):
    ``register`` keeps the first check of an ID per entity, ``get_checks`` sees a wildcard only
    through ``wildcard_checks``. A Checkov that renames them fails here, not silently in a scan."""
    from checkov.common.checks.base_check_registry import BaseCheckRegistry
    from checkov.terraform.checks.resource.base_registry import Registry
    from checkov.terraform.checks.resource.registry import resource_registry

    assert REGISTRY_TABLES == ("checks", "wildcard_checks")
    for name in REGISTRY_TABLES:
        assert isinstance(getattr(resource_registry, name), dict), name
    registry = Registry("terraform")
    first = SimpleNamespace(id="CKV_CISSR_TEST", supported_entities=["*"])
    again = SimpleNamespace(id="CKV_CISSR_TEST", supported_entities=["*"])
    narrow = SimpleNamespace(id="CKV_CISSR_TEST", supported_entities=["terraform_data"])
    other = SimpleNamespace(id="CKV_OTHER_TEST", supported_entities=["terraform_data"])
    try:
        registry.register(first)  # type: ignore[arg-type]
        registry.register(other)  # type: ignore[arg-type]
        registry.register(again)  # type: ignore[arg-type]
        assert registry.get_checks("aws_s3_bucket") == [first]  # the first of an ID wins
        assert registry.get_checks("terraform_data") == [other, first]
        registry.register(narrow)  # type: ignore[arg-type]
        # dedup is per entity: one ID twice for a terraform_data resource, two results (88997e6)
        assert registry.get_checks("terraform_data") == [other, narrow, first]
        assert forget_check(registry, "CKV_CISSR_TEST") is True
        assert (dict(registry.checks), dict(registry.wildcard_checks)) == ({"terraform_data": [other]}, {})
        assert registry.contains_wildcard is False  # no empty "*" entry left behind
        registry.register(narrow)  # type: ignore[arg-type]
        assert registry.get_checks("terraform_data") == [other, narrow]
        assert registry.get_checks("aws_s3_bucket") == []
    finally:  # Checkov also keeps every registered check in one process-wide list
        everything = BaseCheckRegistry.get_all_registered_checks()
        everything[:] = [c for c in everything if all(c is not fake for fake in (first, again, narrow, other))]
    assert forget_check(SimpleNamespace(checks={}), "CKV_CISSR_TEST") is False  # no wildcard_checks
    assert forget_check(SimpleNamespace(checks={}, wildcard_checks={"*": ()}), "CKV_CISSR_TEST") is False

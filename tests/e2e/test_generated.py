"""One answer everywhere, on accounts nobody wrote: Hypothesis builds them, every path judges them.

Hypothesis (``tests/e2e/strategies.py``) draws whole accounts: random trust policies with every
principal kind, conditions, wildcards and partitions; attachments; inline policies; users and
groups; IAM Identity Center permission sets (aws partition: support or not, assigned or not, with
other managed policies, customer managed policy references and inline policies). Their
expectations are the core's verdicts. The accounts are packed into a few moto
accounts (roles prefixed, at most 80 roles each; accounts without a support role apart), so that
the whole lot costs a few Terraform applies, Prowler runs and Checkov runs; every path must give
every role of every account, and every packed account, the core's verdict.

A disagreement is shrunk (``tests/e2e/shrink.py``) and lands in the corpus as a new scenario file.

Knobs: ``CIS_SUPPORT_ROLE_E2E_ACCOUNTS`` (default 200), ``CIS_SUPPORT_ROLE_E2E_SEED`` (default:
a new seed per run, printed), ``CIS_SUPPORT_ROLE_E2E_JOBS`` (parallel accounts, default 2).
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from support_role.scenarios import Scenario, permission_set_key, scenario_from_mapping
from tests.e2e.batches import Batch, plan_batches
from tests.e2e.paths import Run, differences
from tests.e2e.shrink import bisect_account, counterexample_file, disagreements, permission_set_alone, shrink_role
from tests.e2e.strategies import ACCOUNT_PARTITIONS, draw_accounts, with_core_expectations

pytestmark = pytest.mark.slow

PERMISSION_SET = permission_set_key("")


# Each moto account costs a Terraform plan, show and apply (the AWS provider loaded each time, ~4 CPU s)
# and a Prowler CLI run (~25 CPU s before it reads anything: it loads every compliance framework),
# whatever its size; so the drawn accounts are packed into fewer, larger moto accounts than the
# corpus uses. Every drawn account and role is still judged by every path (seed 11, 200 accounts:
# 6 moto accounts instead of 10). More than 100 roles in one account is fine here: the tests' moto
# lists the entities of a policy past 100 (support_role.localaws.moto_iam) and IAM allows 1,000 roles.
MAX_ROLES_PER_ACCOUNT = 320


def families(total: int, seed: int) -> list[tuple[str, str, bool, int]]:
    """(partition, configuration, support roles?, count) for this run.

    Most accounts are in the aws partition with the default configuration; a share without any
    support role (the account-level rule's failures), a share with the tuned configuration, and
    two other partitions per run, chosen by the seed, so that every partition comes round.
    """
    others = [p for p in ACCOUNT_PARTITIONS if p != "aws"]
    chosen = random.Random(seed).sample(others, 2)
    small = max(1, total // 25)
    no_support = max(1, total // 10)
    tuned = max(1, total // 5)
    rest = total - no_support - tuned - small * len(chosen)
    return [
        ("aws", "default", True, rest),
        ("aws", "default", False, no_support),
        ("aws", "tuned", True, tuned),
        *[(p, "default", True, small) for p in chosen],
    ]


def generated(total: int, seed: int) -> list[Scenario]:
    scenarios: list[Scenario] = []
    for i, (partition, config, support, count) in enumerate(families(total, seed)):
        raws = draw_accounts(count, partition=partition, config=config, seed=seed + 1000 * i, support=support)
        scenarios += [scenario_from_mapping(with_core_expectations(raw)) for raw in raws]
    return scenarios


def test_generated_accounts_get_the_core_verdict_on_every_path(
    checkov_cli: Path, prowler_python: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    total = int(os.environ.get("CIS_SUPPORT_ROLE_E2E_ACCOUNTS", "200"))
    # CI replays one fixed seed (as the hypothesis "ci" profile does); developers draw new ones.
    default_seed = "11" if os.environ.get("CI") else str(random.SystemRandom().randrange(2**31))
    seed = int(os.environ.get("CIS_SUPPORT_ROLE_E2E_SEED", default_seed))
    jobs = int(os.environ.get("CIS_SUPPORT_ROLE_E2E_JOBS", "2"))
    scenarios = generated(total, seed)
    batches = plan_batches(
        scenarios, merge_failing_exists=True, rename_shared=False, prefix="g", max_roles=MAX_ROLES_PER_ACCOUNT
    )
    roles = sum(len(s.roles) for s in scenarios)

    def make_run(some: Sequence[Batch], name: str) -> Run:
        run = Run(tmp_path / name, some, jobs=jobs, log=print)
        run.execute()
        return run

    with capsys.disabled():
        print(
            f"\ngenerated parity: seed {seed}, {len(scenarios)} accounts, {roles} roles, {len(batches)} moto accounts"
        )
        run = make_run(batches, "generated")
        print(f"generated parity: {run.timings.summary()}")
    problems = differences(run, reference="core")
    if not problems:
        return
    written: list[str] = []
    with capsys.disabled():
        print("\n".join(["generated parity: differences from the core:", *problems[:50]]))
        for failure in disagreements(run)[:3]:
            if failure.role is not None and failure.role.startswith(PERMISSION_SET):
                raw = permission_set_alone(failure)
            elif failure.role is not None:
                raw = shrink_role(failure, make_run, print)
            else:
                batch = next(
                    b for b in batches if failure.scenario.name in (b.name, *[m.scenario.name for m in b.members])
                )
                from tests.e2e.paths import to_raw

                raw = with_core_expectations(to_raw(bisect_account(failure, batch, make_run, print)))
            written.append(str(counterexample_file(raw, failure.paths, seed, failure.rule)))
    pytest.fail(
        f"seed {seed} (rerun with CIS_SUPPORT_ROLE_E2E_SEED={seed}): {len(problems)} verdicts differ from the core:\n"
        + "\n".join(problems[:50])
        + "\nshrunk counterexamples written to the corpus:\n"
        + "\n".join(written)
    )

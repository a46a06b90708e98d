"""Generate the plan JSON fixtures of the Terraform cases (``tests/checkov/fixtures/cases/``).

For every case folder: ``terraform plan`` against a fresh moto account (before apply: what a CI
job sees on the pull request, every ARN of a new resource unknown), ``terraform apply``, and
``terraform plan`` again (after apply: every value known). Both are written, as
``terraform show -json`` prints them without the timestamp and with ``relevant_attributes``
sorted, to ``tests/checkov/fixtures/case-plans/<case>/{fresh,applied}.json``; ``manifest.json``
records a digest of the files each pair was made from, so the tests can tell a stale pair.

The cases declare ``provider "aws"`` with a region only; the generator adds the moto endpoint and
fake credentials in an override file (or a provider file where the case has none).

    python -m tests.checkov.generate_case_plans            # missing or stale pairs only
    python -m tests.checkov.generate_case_plans --all

(from the repository root, as a module, like ``tests.checkov.generate_plans``).

Needs terraform, the provider mirror and Prowler's environment (for moto); the tests use the
committed plans and say how to regenerate a stale one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path

from tests.checkov.generate_plans import normalise

HERE = Path(__file__).resolve().parent

CASES = HERE / "fixtures" / "cases"
PLANS = HERE / "fixtures" / "case-plans"
MANIFEST = PLANS / "manifest.json"
KINDS = ("fresh", "applied")


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir() and any(p.glob("*.tf")))


def plan_file(case: str, kind: str) -> Path:
    return PLANS / case / f"{kind}.json"


# The provider block added to each case (the committed plans were made with exactly this text, so it
# is part of their digest: changing it makes every case plan stale). Fake credentials, moto endpoint.
PROVIDER_OVERRIDE = """provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "AKIAMOTOEXAMPLE00001"
  secret_key                  = "moto-secret-not-a-real-key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {{
    iam = "{endpoint}"
    sts = "{endpoint}"
  }}
}}
"""


def digest(case: str) -> str:
    from support_role.localaws import AWS_PROVIDER_VERSION

    h = hashlib.sha256()
    for path in sorted((CASES / case).iterdir()):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    h.update(PROVIDER_OVERRIDE.format(endpoint="ENDPOINT").encode() + AWS_PROVIDER_VERSION.encode())
    return h.hexdigest()


def read_manifest() -> dict[str, str]:
    if not MANIFEST.exists():
        return {}
    return {str(k): str(v) for k, v in json.loads(MANIFEST.read_text(encoding="utf-8")).items()}


def stale() -> list[str]:
    manifest = read_manifest()
    return [
        case
        for case in case_names()
        if manifest.get(case) != digest(case) or not all(plan_file(case, k).exists() for k in KINDS)
    ]


def _provider_files(case_dir: Path, endpoint: str) -> dict[str, str]:
    block = PROVIDER_OVERRIDE.format(endpoint=endpoint)
    has_provider = any(
        re.search(r'^provider\s+"aws"', p.read_text(encoding="utf-8"), re.M) for p in case_dir.glob("*.tf")
    )
    if has_provider:
        return {"zz_moto_override.tf": block}
    return {"zz_moto_provider.tf": block}


def generate(case: str, work: Path) -> dict[str, Mapping[str, object]]:
    """The fresh and the applied plan of one case, made against a fresh moto account."""
    from support_role.localaws import MotoServer, Terraform
    from tests.support.tools import moto_command

    plans: dict[str, Mapping[str, object]] = {}
    with MotoServer(moto_command(), log_dir=work) as server:
        tf = Terraform(work / "module")
        for source in (CASES / case).iterdir():
            (tf.directory / source.name).write_bytes(source.read_bytes())
        for name, text in _provider_files(CASES / case, server.url).items():
            (tf.directory / name).write_text(text, encoding="utf-8")
        tf.init()
        plans["fresh"] = normalise(tf.show_json(tf.plan()))
        tf.apply()
        plans["applied"] = normalise(tf.show_json(tf.plan("applied.plan")))
    return plans


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="regenerate every case, not only stale ones")
    args = parser.parse_args(argv)
    todo = case_names() if args.all else stale()
    manifest = read_manifest()
    for case in todo:
        with tempfile.TemporaryDirectory() as work:
            plans = generate(case, Path(work))
        for kind, plan in plans.items():
            target = plan_file(case, kind)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(plan, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        manifest[case] = digest(case)
        print(f"{case}: fresh and applied plans written")
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Generate the committed Terraform plan JSON fixtures with a real, offline ``terraform plan``.

For every corpus scenario and every Terraform style of ``tests/renderers/terraform.py``: render
the root module, add an offline provider (fake credentials, no credential validation, no
metadata API, no account ID lookup), ``terraform init`` from the provider mirror, ``terraform
plan``, ``terraform show -json``. The JSON is written to ``tests/checkov/plans/<style>/<scenario>.json``
without its ``timestamp`` and with ``relevant_attributes`` sorted (Terraform writes that list in
a different order from run to run), so that regenerating an unchanged scenario changes no byte;
``plans/manifest.json`` records a digest of the files each plan was made from, so the tests can
tell a stale or missing plan.

Each worker starts the AWS provider once in Terraform's provider-debug mode and lets its
``terraform show`` commands reattach to it (``TF_REATTACH_PROVIDERS``): showing a plan only reads
the provider's schema, so the 700 MB provider binary is loaded once per plan instead of twice
(``terraform plan`` configures the provider, which a provider process accepts only once).

    python tests/checkov/generate_plans.py            # missing or stale plans only
    python tests/checkov/generate_plans.py --all      # every plan
    python tests/checkov/generate_plans.py --only resources/boundary-only

Needs ``terraform`` on the PATH and the hashicorp/aws provider in a filesystem mirror
(``$CIS_SUPPORT_ROLE_TF_MIRROR``, default ``/opt/tf-plugins``); the tests skip regeneration
where they are absent and use the committed plans.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from support_role.scenarios import Scenario, load_corpus  # noqa: E402
from tests.renderers.terraform import (  # noqa: E402
    AWS_PROVIDER_VERSION,
    STYLES,
    digest,
    offline_provider_files,
    render_scenario,
)

PLANS_DIR = HERE / "plans"
MANIFEST = PLANS_DIR / "manifest.json"
MIRROR = Path(os.environ.get("CIS_SUPPORT_ROLE_TF_MIRROR", "/opt/tf-plugins"))


class TerraformUnavailable(RuntimeError):
    """terraform or the offline provider mirror is missing (the message says which)."""


def terraform_binary() -> str:
    found = shutil.which("terraform")
    if not found:
        raise TerraformUnavailable("terraform is not on the PATH")
    provider = MIRROR / "registry.terraform.io" / "hashicorp" / "aws" / AWS_PROVIDER_VERSION
    if not provider.is_dir():
        raise TerraformUnavailable(f"the hashicorp/aws {AWS_PROVIDER_VERSION} provider is not in the mirror {MIRROR}")
    return found


def plan_key(style: str, scenario: str) -> str:
    return f"{style}/{scenario}"


def plan_path(style: str, scenario: str, base: Path = PLANS_DIR) -> Path:
    return base / style / f"{scenario}.json"


def source_digest(scenario: Scenario, style: str) -> str:
    """The digest of everything a plan is made from (rendered files, provider, Terraform version)."""
    rendered = render_scenario(scenario, style)
    provider = offline_provider_files(scenario.partition)
    return digest(rendered, [json.dumps(provider, sort_keys=True), AWS_PROVIDER_VERSION])


def read_manifest() -> dict[str, str]:
    if not MANIFEST.exists():
        return {}
    data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def stale(scenarios: list[Scenario], styles: tuple[str, ...] = STYLES) -> list[tuple[Scenario, str]]:
    """The (scenario, style) pairs whose committed plan is missing or made from other files."""
    manifest = read_manifest()
    out = []
    for scenario in scenarios:
        for style in styles:
            key = plan_key(style, scenario.name)
            if not plan_path(style, scenario.name).exists() or manifest.get(key) != source_digest(scenario, style):
                out.append((scenario, style))
    return out


@contextmanager
def shared_provider() -> Iterator[str | None]:
    """A running AWS provider that terraform commands reattach to; yields TF_REATTACH_PROVIDERS.

    Yields None (terraform then starts the provider itself) when it cannot be started.
    """
    binaries = sorted(
        (MIRROR / "registry.terraform.io" / "hashicorp" / "aws" / AWS_PROVIDER_VERSION).glob(
            "*/terraform-provider-aws_*"
        )
    )
    if not binaries:
        yield None
        return
    process = subprocess.Popen(
        [str(binaries[0]), "-debug"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True).start()
    reattach = None
    deadline = time.monotonic() + 120
    while reattach is None and time.monotonic() < deadline and process.poll() is None:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        marker = "TF_REATTACH_PROVIDERS='"
        if marker in line:
            reattach = line.split(marker, 1)[1].rsplit("'", 1)[0]
    try:
        yield reattach
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _env(workdir: Path, reattach: str | None = None) -> dict[str, str]:
    config = workdir / "terraform.tfrc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{MIRROR}"\n    include = ["registry.terraform.io/*/*"]\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n",
        encoding="utf-8",
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    if reattach:
        keep["TF_REATTACH_PROVIDERS"] = reattach
    return {
        **keep,
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def _run(args: list[str], cwd: Path, env: Mapping[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed in {cwd}:\n{done.stderr[-4000:] or done.stdout[-4000:]}")
    return done.stdout


def generate_plan(scenario: Scenario, style: str, workdir: Path, reattach: str | None = None) -> dict[str, object]:
    """A real ``terraform plan`` of the rendered scenario, as ``terraform show -json`` prints it."""
    binary = terraform_binary()
    module = workdir / "module"
    rendered = render_scenario(scenario, style)
    for relative, text in {**rendered.files, **offline_provider_files(scenario.partition)}.items():
        path = module / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    env = _env(workdir)
    _run([binary, "init", "-input=false", "-no-color", "-backend=false"], module, env)
    _run([binary, "plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin"], module, env)
    show_env = _env(workdir, reattach)
    plan = json.loads(_run([binary, "show", "-json", "-no-color", "plan.bin"], module, show_env))
    return normalise(plan)


def normalise(plan: Mapping[str, object]) -> dict[str, object]:
    """The plan without what differs between two plans of the same files (timestamp, set order)."""
    out = {k: v for k, v in plan.items() if k != "timestamp"}
    relevant = out.get("relevant_attributes")
    if isinstance(relevant, list):
        out["relevant_attributes"] = sorted(relevant, key=lambda item: json.dumps(item, sort_keys=True))
    return out


def write_plan(scenario: Scenario, style: str, plan: Mapping[str, object], base: Path = PLANS_DIR) -> Path:
    path = plan_path(style, scenario.name, base)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    return path


def _worker(todo: queue.Queue[tuple[Scenario, str]], done: queue.Queue[tuple[str, str | None, str]]) -> None:
    """Plan items from the queue with one shared provider; report (key, digest or None, message)."""
    with shared_provider() as reattach:
        while True:
            try:
                scenario, style = todo.get_nowait()
            except queue.Empty:
                return
            key = plan_key(style, scenario.name)
            try:
                with tempfile.TemporaryDirectory(prefix="cissr-plan-") as tmp:
                    write_plan(scenario, style, generate_plan(scenario, style, Path(tmp), reattach))
                done.put((key, source_digest(scenario, style), f"planned {key}"))
            except Exception as error:  # report every failing scenario, not only the first
                done.put((key, None, f"FAILED {key}: {error}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true", help="regenerate every plan, not only missing or stale ones")
    parser.add_argument("--only", action="append", default=[], help="STYLE/SCENARIO to regenerate (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="terraform runs in parallel (default 2)")
    args = parser.parse_args(argv)
    try:
        terraform_binary()
    except TerraformUnavailable as error:
        print(f"cannot generate plans: {error}", file=sys.stderr)
        return 2
    scenarios = load_corpus()
    if args.only:
        wanted = set(args.only)
        todo = [(s, st) for s in scenarios for st in STYLES if plan_key(st, s.name) in wanted]
    elif args.all:
        todo = [(s, st) for s in scenarios for st in STYLES]
    else:
        todo = stale(scenarios)
    manifest = read_manifest()
    known = {plan_key(st, s.name) for s in scenarios for st in STYLES}
    manifest = {k: v for k, v in manifest.items() if k in known}
    for style in STYLES:  # plans of scenarios that left the corpus
        for path in sorted((PLANS_DIR / style).glob("*.json")):
            if plan_key(style, path.stem) not in known:
                path.unlink()
    work: queue.Queue[tuple[Scenario, str]] = queue.Queue()
    for item in todo:
        work.put(item)
    done: queue.Queue[tuple[str, str | None, str]] = queue.Queue()
    failures = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for _ in range(max(1, args.jobs)):
            pool.submit(_worker, work, done)
        for _ in todo:
            key, value, message = done.get()
            print(message, file=sys.stderr if value is None else sys.stdout, flush=True)
            if value is None:
                failures += 1
                continue
            manifest[key] = value  # written after every plan, so an interrupted run keeps its work
            _write_manifest(manifest)
    _write_manifest(manifest)
    print(f"{len(todo) - failures} plan(s) written, {failures} failed, {len(known) - len(todo)} unchanged")
    return 1 if failures else 0


def _write_manifest(manifest: Mapping[str, str]) -> None:
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

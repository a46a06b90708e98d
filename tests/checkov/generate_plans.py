"""Generate the committed Terraform plan JSON fixtures with a real, offline ``terraform plan``.

For every corpus scenario and every Terraform style of ``tests/renderers/terraform.py``: render
the root module, add an offline provider (fake credentials, no credential validation, no
metadata API, no account ID lookup), ``terraform init`` from the provider mirror, ``terraform
plan``, ``terraform show -json``. The ``references`` style reads the account ID
(``data.aws_caller_identity``) while planning: it is planned against an empty moto account on
127.0.0.1 (one server per scenario, stopped after), never applied: the fresh plan a pull request's
CI job sees, every ARN of a new resource unknown. The JSON is written to ``tests/checkov/plans/<style>/<scenario>.json``
without its ``timestamp`` and with ``relevant_attributes`` sorted (Terraform writes that list in
a different order from run to run), so that regenerating an unchanged scenario changes no byte;
``plans/manifest.json`` records a digest of the files each plan was made from, so the tests can
tell a stale or missing plan.

Each worker starts the AWS provider once in Terraform's provider-debug mode and lets its
``terraform show`` commands reattach to it (``TF_REATTACH_PROVIDERS``): showing a plan only reads
the provider's schema, so the 700 MB provider binary is loaded once per plan instead of twice
(``terraform plan`` configures the provider, which a provider process accepts only once).

    python -m tests.checkov.generate_plans            # missing or stale plans only
    python -m tests.checkov.generate_plans --all      # every plan
    python -m tests.checkov.generate_plans --only resources/boundary-only

Needs ``terraform`` on the PATH and the hashicorp/aws provider in a filesystem mirror
(``$CIS_SUPPORT_ROLE_TF_MIRROR``, default ``/opt/tf-plugins``); the tests skip regeneration
where they are absent and use the committed plans.
"""

from __future__ import annotations

import argparse
import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

from support_role.localaws import (
    AWS_PROVIDER_VERSION,
    MotoServer,
    Terraform,
    TerraformMissing,
    offline_provider_files,
    provider_block,
    provider_mirror,
    required_providers,
    terraform_cli,
)
from support_role.scenarios import Scenario, load_corpus
from tests.renderers.terraform import REFERENCES, digest, render_scenario
from tests.renderers.terraform import STYLES as HCL_STYLES

STYLES: tuple[str, ...] = (*HCL_STYLES, REFERENCES)
"""The styles a plan is committed for: the renderer's four, and the fresh plan of the references style."""

PLANS_DIR = Path(__file__).resolve().parent / "plans"
MANIFEST = PLANS_DIR / "manifest.json"
REGENERATE = "python -m tests.checkov.generate_plans"


def plan_key(style: str, scenario: str) -> str:
    return f"{style}/{scenario}"


def plan_path(style: str, scenario: str, base: Path = PLANS_DIR) -> Path:
    return base / style / f"{scenario}.json"


def source_digest(scenario: Scenario, style: str) -> str:
    """The digest of everything a plan is made from (rendered files, provider, Terraform version)."""
    rendered = render_scenario(scenario, style)
    provider = offline_provider_files(scenario.partition)
    extra = [json.dumps(provider, sort_keys=True), AWS_PROVIDER_VERSION]
    if style == REFERENCES:
        extra.append(provider_block(scenario.partition, endpoint="MOTO") + "planned against an empty moto account")
    return digest(rendered, extra)


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
        (provider_mirror() / "registry.terraform.io" / "hashicorp" / "aws" / AWS_PROVIDER_VERSION).glob(
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


def generate_plan(
    scenario: Scenario,
    style: str,
    workdir: Path,
    reattach: str | None = None,
    servers: MutableMapping[str, MotoServer] | None = None,
) -> dict[str, object]:
    """A real ``terraform plan`` of the rendered scenario, as ``terraform show -json`` prints it.

    The references style is planned against a moto server of the scenario's partition: one from
    ``servers`` (started there when missing, stopped by the caller; plans never apply, so the
    account stays empty), else one started and stopped for this plan.
    """
    tf = Terraform(workdir / "module")
    files = dict(render_scenario(scenario, style).files)
    if style != REFERENCES:
        tf.write({**files, **offline_provider_files(scenario.partition)})
        tf.init()
        return normalise(tf.show_json(tf.plan("plan.bin"), reattach=reattach))
    with ExitStack() as stack:
        server = (servers or {}).get(scenario.partition)
        if server is None:
            from tests.support.tools import moto_command

            server = MotoServer(moto_command(), partition=scenario.partition).start()
            if servers is None:
                stack.callback(server.stop)
            else:
                servers[scenario.partition] = server
        provider = required_providers() + "\n" + provider_block(scenario.partition, endpoint=server.url)
        tf.write({**files, "providers.tf": provider})
        tf.init()
        return normalise(tf.show_json(tf.plan("plan.bin"), reattach=reattach))


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
    servers: dict[str, MotoServer] = {}
    with shared_provider() as reattach, ExitStack() as stack:
        stack.callback(lambda: [server.stop() for server in servers.values()])
        while True:
            try:
                scenario, style = todo.get_nowait()
            except queue.Empty:
                return
            key = plan_key(style, scenario.name)
            try:
                with tempfile.TemporaryDirectory(prefix="cissr-plan-") as tmp:
                    write_plan(scenario, style, generate_plan(scenario, style, Path(tmp), reattach, servers))
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
        terraform_cli()
    except TerraformMissing as error:
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

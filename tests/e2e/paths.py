"""Every path from a batch of scenarios to verdicts, with the real tools, and the comparison.

Paths (names used in failure messages):

``checkov-hcl``   the batch rendered as a Terraform root module, scanned by the Checkov CLI;
``checkov-plan``  the JSON of a real ``terraform plan`` of that root module, scanned by Checkov;
``checkov-cfn``   the batch rendered as a CloudFormation template, scanned by Checkov;
``prowler-live``  the root module ``terraform apply``-ed to a local moto server (or, without
                  terraform, the account created through the IAM API), scanned by the Prowler CLI
                  with our plugin.

With ``references=True`` (the corpus parity run) the root module that is planned and applied is
the one written by reference (users, roles, providers, the account ID, data documents, counted
roles: the renderer's ``references`` style), and the plan paths are the ones a pull request and
the day after see:

``checkov-hcl-ref``       that root module's HCL, scanned by Checkov (what pre-commit sees);
``checkov-plan-fresh``    its ``terraform plan`` against the fresh account, before apply (what a
                          CI job sees on the pull request: every ARN of a new resource unknown);
``checkov-plan-applied``  its ``terraform plan`` again after the apply (every value known);

``checkov-hcl`` then keeps the rotating literal styles (HCL only; their plans are the committed
fixtures of ``tests/checkov``).

IAM Identity Center permission sets: Checkov scans them as rendered (HCL, and the plan of the
whole root module); ``terraform apply`` creates them in moto like every other resource, through the
SSO Admin operations our moto server adds to moto's (``support_role.localaws.moto_iam``: tags,
boundaries, provisioning status). The applied module differs from the scanned one by two files
only (:func:`identity_center_override`): the provider reaches moto's SSO Admin too, and the Identity
Center instance is the moto account's (``data.aws_ssoadmin_instances``) instead of the made-up one
the renderer writes. Identity Center makes an ``AWSReservedSSO_*`` role in an account when a set is
assigned there; moto does not, so after the apply those roles are created through IAM as Identity
Center would (``seed_identity_center_roles``: path, name, SAML trust, policies, boundary). Every
path reports a permission set as ``permission set <name>``; ``prowler-live`` also judges those roles.
Without terraform, the permission sets are created through boto3 (``support_role.localaws.sso_seed``,
in Prowler's environment), like the rest of the account through the IAM API.

The renderers are the Checkov tests' (``tests/renderers``); the styles rotate over the batches so
that every way of writing the same account is planned, applied and scanned. Checkov runs once per
configuration over every batch (HCL, plan JSON and templates together); Prowler once per batch.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from support_role import EXISTS, PER_ROLE_RULES, RULES, Status
from support_role.localaws import (
    IamQueryClient,
    MotoServer,
    Terraform,
    TerraformMissing,
    provider_block,
    region_for,
    required_providers,
    run_command,
    seed_identity_center_roles,
    seed_scenario,
    terraform_cli,
)
from support_role.reports import ACCOUNT, Finding, checkov_parsing_errors, read_checkov, read_prowler_ocsf
from support_role.scenarios import Expectation, permission_set_key
from tests.checkov.generate_plans import shared_provider
from tests.e2e.batches import Batch, config_key
from tests.renderers import cloudformation as cfn_renderer
from tests.renderers import terraform as tf_renderer
from tests.support import tools

PATHS = ("checkov-hcl", "checkov-plan", "checkov-cfn", "prowler-live")
REFERENCE_PATHS = (
    "checkov-hcl",
    "checkov-hcl-ref",
    "checkov-plan-fresh",
    "checkov-plan-applied",
    "checkov-cfn",
    "prowler-live",
)
PLAN_PATHS = ("checkov-plan", "checkov-plan-fresh", "checkov-plan-applied")
PROWLER_CHECKS = tuple(rule.prowler_id for rule in RULES)
SSO_ARN = "arn:aws:sso:::"  # a permission set's ARN (moto's: arn:aws:sso:::instance/<instance>/<set>)
CONFLICT = "CONFLICT"  # the result of a path that gave two different verdicts for one role and rule
CHECKOV_CHECKS = ",".join(rule.checkov_id for rule in RULES)


@dataclass
class PathResult:
    findings: dict[tuple[str, str], Finding] = field(default_factory=dict)
    skipped: str | None = None  # why this path did not run (a tool is missing)
    error: str | None = None  # why it failed to run


@dataclass
class Layout:
    """Where a batch's files go: the scanned tree is kept apart from Terraform's working copy."""

    scan: Path  # <work>/scan/<config group>/<batch>
    run: Path  # <work>/run/<batch>

    @property
    def tf(self) -> Path:
        return self.scan / "tf"

    @property
    def cfn(self) -> Path:
        return self.scan / "cfn"

    @property
    def tf_ref(self) -> Path:
        return self.scan / "tf-ref"

    @property
    def plan_json(self) -> Path:
        """The plan made before apply (the rotating style's, or the by-reference module's)."""
        return self.scan / "plan" / "plan.json"

    @property
    def applied_json(self) -> Path:
        """The plan made again after apply (by-reference runs)."""
        return self.scan / "plan-applied" / "plan.json"


@dataclass
class Timings:
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, what: str, seconds: float) -> None:
        self.seconds[what] = self.seconds.get(what, 0.0) + seconds

    def summary(self) -> str:
        return ", ".join(f"{k} {v:.0f}s" for k, v in sorted(self.seconds.items()))


class Run:
    """One end-to-end run over batches: render, plan, apply, scan, read back."""

    def __init__(
        self,
        work: Path,
        batches: Sequence[Batch],
        *,
        jobs: int = 2,
        use_terraform: bool = True,
        live: bool = True,
        references: bool = False,
        prowler: bool = True,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.work = work
        self.with_live = live
        self.references = references
        self.with_prowler = prowler
        self.paths = REFERENCE_PATHS if references else PATHS
        self.plan_paths = tuple(p for p in self.paths if p in PLAN_PATHS)
        self.batches = list(batches)
        self.jobs = jobs
        self.log = log
        self.timings = Timings()
        self.results: dict[str, dict[str, PathResult]] = {
            b.name: {p: PathResult() for p in self.paths} for b in batches
        }
        keys = dict.fromkeys(config_key(b.account) for b in batches)
        self.groups = {key: f"config-{i}" for i, key in enumerate(keys)}
        self.layouts = {
            b.name: Layout(work / "scan" / self.groups[config_key(b.account)] / b.name, work / "run" / b.name)
            for b in batches
        }
        self.terraform_missing: str | None = None
        if use_terraform:
            try:
                terraform_cli()
            except TerraformMissing as missing:
                self.terraform_missing = str(missing)
        else:
            self.terraform_missing = "terraform disabled for this run"
        # AWS providers started once for the run, which ``terraform show`` reattaches to (:meth:`execute`)
        self.show_providers: queue.Queue[str] = queue.Queue()
        self.tf_rendered: dict[str, tf_renderer.RenderedTerraform] = {}
        self.tf_styles: dict[str, str] = {}
        self.tf_ref_rendered: dict[str, tf_renderer.RenderedTerraform] = {}
        self.cfn_rendered: dict[str, cfn_renderer.RenderedCloudFormation] = {}

    # ------------------------------------------------------------------------------ rendering
    def render(self) -> None:
        for i, batch in enumerate(self.batches):
            layout = self.layouts[batch.name]
            tf_style = terraform_style(batch, i)
            cfn_style = cfn_renderer.STYLES[i % len(cfn_renderer.STYLES)]
            rendered = tf_renderer.render_scenario(batch.account, tf_style)
            self.tf_rendered[batch.name] = rendered
            self.tf_styles[batch.name] = tf_style
            _write(layout.tf, rendered.files)
            if self.references:
                by_reference = tf_renderer.render_scenario(batch.account, tf_renderer.REFERENCES)
                self.tf_ref_rendered[batch.name] = by_reference
                _write(layout.tf_ref, by_reference.files)
            template = cfn_renderer.render_scenario(batch.account, cfn_style)
            self.cfn_rendered[batch.name] = template
            _write(layout.cfn, template.files)

    # ------------------------------------------------------------------------- per batch: live
    def live(self, batch: Batch) -> None:
        """Terraform plan + apply (or boto3 seeding) into a fresh moto account, then Prowler."""
        layout = self.layouts[batch.name]
        results = self.results[batch.name]
        if not self.with_live:
            for path in (*self.plan_paths, "prowler-live"):
                results[path].skipped = "Checkov-only run"
            return
        account = batch.account
        layout.run.mkdir(parents=True, exist_ok=True)
        try:
            server = MotoServer(
                tools.moto_command(), account_id=account.account_id, partition=account.partition, log_dir=layout.run
            ).start()
        except Exception as error:  # the message names the server's log
            for path in (*self.plan_paths, "prowler-live"):
                results[path].error = str(error)
            return
        with server:
            if self.terraform_missing is None:
                try:
                    self._terraform(batch, server)
                except Exception as error:  # the message names the command and its output
                    for path in self.plan_paths:
                        results[path].error = f"terraform failed: {error}"
                    results["prowler-live"].error = f"terraform apply failed: {error}"
                    return
            else:
                for path in self.plan_paths:
                    results[path].skipped = f"no terraform plan: {self.terraform_missing}"
                try:
                    self._seed(batch, server)
                    if account.permission_sets:
                        self._seed_identity_center(batch, server)
                except Exception as error:
                    results["prowler-live"].error = f"seeding through the IAM API failed: {error}"
                    return
            if not self.with_prowler:
                results["prowler-live"].skipped = "run without Prowler"
                return
            try:
                results["prowler-live"].findings = self._prowler(batch, server)
            except Exception as error:
                results["prowler-live"].error = str(error)

    def _terraform(self, batch: Batch, server: MotoServer) -> None:
        layout = self.layouts[batch.name]
        workdir = layout.run / "terraform"
        shutil.rmtree(workdir, ignore_errors=True)
        account = batch.account
        tf = Terraform(workdir)
        scanned = (self.tf_ref_rendered if self.references else self.tf_rendered)[batch.name].files
        tf.write(scanned)
        tf.write({"providers.tf": required_providers() + "\n" + provider_block(account.partition, endpoint=server.url)})
        tf.init()
        plan = tf.plan()
        with self._show_provider() as reattach:
            shown = tf.show_json(plan, reattach=reattach)
        layout.plan_json.parent.mkdir(parents=True, exist_ok=True)
        layout.plan_json.write_text(json.dumps(shown), encoding="utf-8")
        if account.permission_sets:  # in the moto account's Identity Center instance (module docstring)
            override = identity_center_override(server.url)
            tf.write(override)
            tf.apply()
            for name in override:  # the plan after the apply is of the scanned module again
                (workdir / name).unlink()
            started = time.monotonic()
            seed_identity_center_roles(IamQueryClient(server.url, region_for(account.partition)), account)
            self.timings.add("seeding", time.monotonic() - started)
        else:
            tf.apply(plan)
        if self.references:
            applied_plan = tf.plan("applied.plan")
            with self._show_provider() as reattach:
                again = tf.show_json(applied_plan, reattach=reattach)
            layout.applied_json.parent.mkdir(parents=True, exist_ok=True)
            layout.applied_json.write_text(json.dumps(again), encoding="utf-8")
        for step, seconds in tf.timings.items():
            self.timings.add(f"terraform {step}", seconds)

    @contextmanager
    def _show_provider(self) -> Iterator[str | None]:
        """A running provider for one ``terraform show`` at a time (None: show starts its own).

        Showing a plan only reads the provider's schema, so it need not load the 700 MB provider
        binary again (plan and apply configure the provider, which one process accepts once)."""
        try:
            reattach = self.show_providers.get_nowait()
        except queue.Empty:
            yield None
            return
        try:
            yield reattach
        finally:
            self.show_providers.put(reattach)

    def _seed_identity_center(self, batch: Batch, server: MotoServer) -> None:
        """Without terraform: the batch's permission sets through boto3 (Prowler's environment), then
        the roles Identity Center makes from the assigned ones through IAM."""
        started = time.monotonic()
        account_file = self.layouts[batch.name].run / "account.json"
        account_file.write_text(json.dumps(to_raw(batch.account)), encoding="utf-8")
        command = [tools.prowler_python(), "-m", "support_role.localaws.sso_seed", server.url, account_file]
        run_command(command, env=tools.tool_env(), cwd=tools.ROOT, check=True, timeout=300)
        seed_identity_center_roles(IamQueryClient(server.url, region_for(batch.account.partition)), batch.account)
        self.timings.add("seeding", time.monotonic() - started)

    def _seed(self, batch: Batch, server: MotoServer) -> None:
        started = time.monotonic()
        seed_scenario(IamQueryClient(server.url, region_for(batch.account.partition)), batch.account)
        self.timings.add("seeding", time.monotonic() - started)

    def _prowler(self, batch: Batch, server: MotoServer) -> dict[tuple[str, str], Finding]:
        layout = self.layouts[batch.name]
        out = layout.run / "prowler"
        partition = batch.account.partition
        region = region_for(partition)
        args: list[str | os.PathLike[str]] = [
            tools.prowler_cli(),
            "aws",
            "--checks",
            *PROWLER_CHECKS,
            "-f",
            region,
            "-M",
            "json-ocsf",
            "-o",
            out,
            "-F",
            "findings",
            "--no-banner",
            "--ignore-exit-code-3",
        ]
        config = {k: v for k, v in batch.account.config.items()}
        if config:
            config_file = layout.run / "prowler-config.yaml"
            config_file.write_text(json.dumps({"aws": config}), encoding="utf-8")
            args += ["--config-file", config_file]
        env = {**tools.tool_env(), **server.client_env(partition)}
        result = run_command(args, env=env, cwd=layout.run, check=False, timeout=900)
        self.timings.add("prowler", result.seconds)
        (layout.run / "prowler.log").write_text(result.stdout + result.stderr, encoding="utf-8")
        ocsf = out / "findings.ocsf.json"
        if result.returncode != 0 or not ocsf.is_file():
            raise RuntimeError(f"prowler failed: {result.describe()}")
        findings = read_prowler_ocsf(json.loads(ocsf.read_text(encoding="utf-8")))
        sets = [  # a permission set's finding names the set and carries its ARN (aws partition only)
            dataclasses.replace(f, role=permission_set_key(f.role)) if f.resource_uid.startswith(SSO_ARN) else f
            for f in findings
        ]
        return _keyed(sets, f"prowler-live on {batch.name}")

    # ------------------------------------------------------------------------------- Checkov
    def checkov(self) -> None:
        """One Checkov run per configuration group over every batch's HCL, plan JSON and template."""
        for key, group in self.groups.items():
            batches = [b for b in self.batches if config_key(b.account) == key]
            folder = self.work / "scan" / group
            config = dict(batches[0].account.config)
            config["support_role_strict_unknown"] = True  # UNKNOWN must show (as FAILED with its verdict line)
            config["support_role_account_baseline_paths"] = [f"{folder}/**"]
            config_file = self.work / f"checkov-{group}.json"
            config_file.write_text(json.dumps(config), encoding="utf-8")
            args: list[str | os.PathLike[str]] = [
                tools.checkov_cli(),
                "-d",
                folder,
                "--external-checks-dir",
                tools.CHECKS_DIR,
                "--framework",
                "terraform",
                "terraform_plan",
                "cloudformation",
                "--check",
                CHECKOV_CHECKS,
                "--skip-download",
                "--soft-fail",
                "-o",
                "json",
            ]
            env = {**tools.tool_env(), **tools.CHECKOV_ENV, "CIS_SUPPORT_ROLE_CONFIG": str(config_file)}
            result = run_command(args, env=env, cwd=folder, check=False, timeout=1800)
            self.timings.add("checkov", result.seconds)
            (self.work / f"checkov-{group}.log").write_text(result.stderr, encoding="utf-8")
            (self.work / f"checkov-{group}.out.json").write_text(result.stdout, encoding="utf-8")
            if result.returncode != 0:
                for batch in batches:
                    for path in self.paths:
                        if path.startswith("checkov-"):
                            self.results[batch.name][path].error = result.describe()
                continue
            data = json.loads(result.stdout or "[]")
            findings = read_checkov(data)
            unparsed = [os.path.normpath(os.path.join(folder, file)) for file in checkov_parsing_errors(data)]
            for batch in batches:
                self._assign_checkov(batch, findings, unparsed)

    def _assign_checkov(self, batch: Batch, findings: Sequence[Finding], unparsed: Sequence[str] = ()) -> None:
        """Each Checkov path's findings of the batch; a path whose files Checkov could not parse
        did not run (an error naming the file), it does not disagree."""
        layout = self.layouts[batch.name]
        folder = self.work / "scan" / self.groups[config_key(batch.account)]
        literal = {address: role for role, address in self.tf_rendered[batch.name].role_addresses.items()}
        by_reference = self.tf_ref_rendered.get(batch.name)
        ref_names = {address: role for role, address in by_reference.role_addresses.items()} if by_reference else {}
        cfn_names = {logical: role for role, logical in self.cfn_rendered[batch.name].role_ids.items()}
        for rendered in (self.tf_rendered[batch.name], by_reference):  # permission sets by their resource
            for name, address in rendered.permission_set_addresses.items() if rendered else ():
                (literal if rendered is self.tf_rendered[batch.name] else ref_names)[address] = permission_set_key(name)
        cfn_sets = {
            f"AWS::SSO::PermissionSet.{logical}": permission_set_key(name)
            for name, logical in self.cfn_rendered[batch.name].permission_set_ids.items()
        }
        roles = {r.name for r in batch.account.roles}
        where = {
            "checkov-hcl": (str(layout.tf), literal),
            "checkov-plan": (str(layout.plan_json.parent), literal),
            "checkov-hcl-ref": (str(layout.tf_ref), ref_names),
            "checkov-plan-fresh": (str(layout.plan_json.parent), ref_names),
            "checkov-plan-applied": (str(layout.applied_json.parent), ref_names),
            "checkov-cfn": (str(layout.cfn), literal),
        }
        for path, (prefix, tf_names) in where.items():
            if path not in self.results[batch.name] or self.results[batch.name][path].skipped:
                continue
            lost = [file for file in unparsed if file.startswith(prefix + os.sep)]
            if lost:
                group = self.groups[config_key(batch.account)]
                log = self.work / f"checkov-{group}.log"
                self.results[batch.name][path].error = f"Checkov could not parse {', '.join(lost)} (see {log})"
                continue
            mine = []
            for finding in findings:
                scope = os.path.normpath(os.path.join(folder, finding.scope))
                if not (scope == prefix or scope.startswith(prefix + os.sep)):
                    continue
                role = finding.role
                if finding.rule != EXISTS and finding.resource in cfn_sets:
                    role = cfn_sets[finding.resource]
                elif finding.rule != EXISTS and role not in roles:
                    role = _role_of_resource(finding.resource, tf_names, cfn_names) or role
                mine.append(dataclasses.replace(finding, role=role))
            self.results[batch.name][path].findings = _keyed(mine, f"{path} on {batch.name}")

    # ----------------------------------------------------------------------------------- all
    def execute(self) -> None:
        started = time.monotonic()
        self.render()
        with ExitStack() as providers, ThreadPoolExecutor(max_workers=self.jobs) as pool:
            if self.with_live and self.terraform_missing is None:
                for _ in range(min(self.jobs, len(self.batches))):
                    reattach = providers.enter_context(shared_provider())
                    if reattach is not None:
                        self.show_providers.put(reattach)
            futures = [pool.submit(self.live, batch) for batch in self.batches]
            for future in futures:
                future.result()
        self.log(f"live paths of {len(self.batches)} accounts: {time.monotonic() - started:.0f}s")
        checkov_started = time.monotonic()
        self.checkov()
        self.log(f"checkov: {time.monotonic() - checkov_started:.0f}s")
        self.log(f"total {time.monotonic() - started:.0f}s ({self.timings.summary()})")


def identity_center_override(endpoint: str) -> dict[str, str]:
    """The two files that make a rendered root module with permission sets applicable to a moto
    server at ``endpoint``: the provider's SSO Admin endpoint (an override file, so the scanned
    provider block stays as it is; its endpoints block replaces the original, so IAM and STS are
    named again) and the Identity Center instance of the moto account in place of the renderer's
    made-up one (a local of the same name, overridden value by value)."""
    return {
        "moto_sso_instance.tf": 'data "aws_ssoadmin_instances" "moto" {}\n',
        "moto_sso_override.tf": (
            'provider "aws" {\n  endpoints {\n'
            f'    iam      = "{endpoint}"\n    sts      = "{endpoint}"\n    ssoadmin = "{endpoint}"\n'
            "  }\n}\n\n"
            f"locals {{\n  {tf_renderer.SSO_INSTANCE_LOCAL} = tolist(data.aws_ssoadmin_instances.moto.arns)[0]\n}}\n"
        ),
    }


def terraform_style(batch: Batch, index: int) -> str:
    """The Terraform style of the batch's root module: rotating, except that an account with
    customer managed policies is never written in the ``inline`` style.

    That style lists a customer policy in ``managed_policy_arns`` beside literal ARNs
    (``[".../AWSSupportAccess", aws_iam_policy.x.arn]``); before the apply, Terraform's plan JSON
    marks the whole list unknown and keeps only the references, so the literal AWSSupportAccess is
    in no part of the plan and no scanner of the plan can know the role is a support role. The
    plan path would rightly differ from the corpus there (it should say UNKNOWN).
    """
    styles = tf_renderer.STYLES
    style = styles[index % len(styles)]
    if style == "inline" and batch.account.customer_policies:
        style = styles[(index + 1) % len(styles)]
    return style


def _role_of_resource(resource: str, tf_names: Mapping[str, str], cfn_names: Mapping[str, str]) -> str | None:
    if resource in tf_names:
        return tf_names[resource]
    if resource.startswith("AWS::IAM::Role."):
        return cfn_names.get(resource[len("AWS::IAM::Role.") :])
    return None


def _keyed(findings: Sequence[Finding], where: str) -> dict[tuple[str, str], Finding]:
    keyed: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        key = (finding.role, finding.rule)
        if key in keyed and keyed[key].verdict != finding.verdict:
            # two different answers for one role and rule: keep both visible in the comparison
            finding = dataclasses.replace(finding, result=CONFLICT, wire=None)
        keyed[key] = finding
    return keyed


def _write(folder: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


# -------------------------------------------------------------------------------- comparison
def _shown(finding: Finding | None) -> str:
    if finding is None:
        return "no result"
    return CONFLICT if finding.result == CONFLICT else finding.verdict


def _matches(expected: Expectation, finding: Finding | None) -> bool:
    if finding is None:
        return expected.status == "NA"
    if finding.result == CONFLICT:
        return False
    return finding.status.value == expected.status and finding.codes == expected.codes


def differences(run: Run, reference: str = "corpus") -> list[str]:
    """Every verdict of every path that differs from the reference, one line each, naming the
    scenario, the role, the rule and the two paths."""
    lines: list[str] = []
    for batch in run.batches:
        where = "" if batch.alone else f" (in shared account {batch.name})"
        exists = batch.expected_exists()
        names = ", ".join(m.scenario.name for m in batch.members)
        for path, result in run.results[batch.name].items():
            if result.skipped:
                continue
            if result.error:
                lines.append(f"{names}: {path} did not run: {result.error}")
                continue
            found = result.findings
            got = found.get((ACCOUNT, EXISTS))
            if not _matches(exists, got):
                ref = reference if batch.alone else "core on the shared account"
                lines.append(f"{names}: account: {EXISTS}: {ref} says {exists} but {path} says {_shown(got)}{where}")
            known: set[tuple[str, str]] = {(ACCOUNT, EXISTS)}
            for member in batch.members:
                # (name in the batch account, name in the scenario, name the expectation is under)
                subjects = [(member.role_name(r.name), f"role {r.name}", r.name) for r in member.scenario.roles]
                for spec in member.scenario.permission_sets:
                    subjects.append((permission_set_key(member.role_name(spec.name)), spec.key, spec.key))
                    made = next(s for s in batch.account.permission_sets if s.name == member.role_name(spec.name))
                    if path == "prowler-live" and made.assigned:  # the role Identity Center makes
                        subjects.append((made.role_name, f"role {spec.role_name}", spec.key))
                for role, shown, expected_under in subjects:
                    for rule in PER_ROLE_RULES:
                        known.add((role, rule))
                        expected = member.scenario.expectation(expected_under, rule)
                        got = found.get((role, rule))
                        if not _matches(expected, got):
                            lines.append(
                                f"{member.scenario.name}: {shown}: {rule}: {reference} says {expected} "
                                f"but {path} says {_shown(got)}{where}"
                            )
            for role, rule in sorted(set(found) - known):
                lines.append(f"{names}: {path} reports {rule} on {role!r}, a role the account does not have{where}")
    return lines


def to_raw(scenario: object) -> dict[str, object]:
    """A scenario (support_role.scenarios.Scenario) back in the corpus file format."""
    from support_role.scenarios import Scenario

    assert isinstance(scenario, Scenario)
    raw: dict[str, object] = {
        "name": scenario.name,
        "description": scenario.description,
        "partition": scenario.partition,
        "account_id": scenario.account_id,
    }
    if scenario.config:
        raw["config"] = dict(scenario.config)
    if scenario.users:
        raw["users"] = list(scenario.users)
    if scenario.user_policies:
        raw["user_policies"] = {u: list(p) for u, p in scenario.user_policies.items()}
    if scenario.groups:
        raw["groups"] = {
            g: {"members": list(scenario.group_members.get(g, ())), "policies": list(p)}
            for g, p in scenario.groups.items()
        }
    if scenario.customer_policies:
        raw["customer_policies"] = {n: d for n, d in scenario.customer_policies.items()}
    roles: list[dict[str, object]] = []
    for spec in scenario.roles:
        role: dict[str, object] = {"name": spec.name, "trust": spec.trust}
        if spec.path != "/":
            role["path"] = spec.path
        if spec.policies:
            role["policies"] = list(spec.policies)
        if spec.inline:
            role["inline"] = dict(spec.inline)
        if spec.boundary:
            role["boundary"] = spec.boundary
        roles.append(role)
    raw["roles"] = roles
    sets: list[dict[str, object]] = []
    for permission_set in scenario.permission_sets:
        item: dict[str, object] = {"name": permission_set.name, "assigned": permission_set.assigned}
        if permission_set.policies:
            item["policies"] = list(permission_set.policies)
        if permission_set.customer_policies:
            item["customer_policies"] = list(permission_set.customer_policies)
        if permission_set.inline is not None:
            item["inline"] = dict(permission_set.inline)
        if permission_set.boundary:
            item["boundary"] = permission_set.boundary
        sets.append(item)
    if sets:
        raw["permission_sets"] = sets
    expect: dict[str, object] = {EXISTS: str(scenario.expect_exists)}
    if scenario.expect_roles:
        expect["roles"] = {r: {rule: str(e) for rule, e in rules.items()} for r, rules in scenario.expect_roles.items()}
    if scenario.expect_permission_sets:
        expect["permission_sets"] = {
            name: {rule: str(e) for rule, e in rules.items()} for name, rules in scenario.expect_permission_sets.items()
        }
    raw["expect"] = expect
    return raw


def unknown_counts(run: Run) -> dict[str, tuple[int, int]]:
    """Per path that ran: (verdicts reported, of which UNKNOWN), over every batch."""
    counts: dict[str, tuple[int, int]] = {}
    for batch in run.batches:
        for path, result in run.results[batch.name].items():
            if result.skipped or result.error:
                continue
            total, unknown = counts.get(path, (0, 0))
            total += len(result.findings)
            unknown += sum(1 for f in result.findings.values() if f.result != CONFLICT and f.status is Status.UNKNOWN)
            counts[path] = (total, unknown)
    return counts

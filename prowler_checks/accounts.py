"""Scan many AWS accounts with the four checks and gather one report: long-lived workers, bounded parallelism.

    cis-support-role-prowler-org --accounts accounts.txt --role-name ProwlerScan --jobs 2 -o output
    python -m prowler_checks.accounts 111122223333 arn:aws:iam::444455556666:role/audit/Scan

How it works (docs/prowler.md, "Many accounts"):

* ``--jobs`` worker processes start once and each imports Prowler and loads our checks' metadata and
  compliance frameworks once, then scans account after account. A Prowler CLI run pays that start-up
  (about 15-20 s here) for every account; a worker pays it once.
* Per account a worker does what Prowler App's scan worker does through Prowler's SDK: an
  ``AwsProvider`` that assumes the account's role (``role_arn``, optional external ID), then each check
  run by Prowler's ``execute`` (which applies the mutelist) and turned into Prowler ``Finding`` objects
  by ``Finding.generate_output``, as ``prowler.lib.scan.scan.Scan.scan`` does for each check. It does
  not build a ``Scan`` per account: its constructor loads the metadata of every Prowler check and
  every compliance framework (several seconds each time; benchmarks/prowler_accounts_bench.py measures
  it), which is the start-up a long-lived worker exists to avoid. Nothing of Prowler is patched.
* The parent process receives each account's findings as they come and appends them with Prowler's
  own writers to one findings CSV and one compliance CSV per framework (the files ``prowler dashboard``
  reads from ``output/`` and ``output/compliance/``), and writes a JSON summary with every account's
  outcome and the per-account requirement status.
* An account that cannot be scanned (the role cannot be assumed, the provider cannot start, a worker
  died) is never skipped: each of our checks reports one finding on that account, MANUAL (FAIL with
  ``support_role_strict_unknown``) with the code ``unreadable-account`` and the error, as a check does
  when the account cannot be read; the console and the summary name it.

Settings: ``--config-file`` (Prowler's format, our keys under ``aws:``), else ``$CIS_SUPPORT_ROLE_CONFIG``
or ``$CIS_SUPPORT_ROLE_CONFIG_INLINE`` (:mod:`prowler_checks.settings`); a refused configuration stops
the run before any account is scanned (exit 2).

Exit codes: 0 no FAIL finding; 3 a FAIL finding (``-z`` gives 0), as Prowler; 2 bad input or settings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TextIO

from support_role import REGION_OF_PARTITION

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
ROLE_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>[0-9]{12}):role/(?P<name>[\w+=,.@/-]+)$")
DEFAULT_ROLE_NAME = "ProwlerScan"
DEFAULT_SESSION_NAME = "cis-support-role"
NOT_SCANNED = "not-scanned"
SCANNED = "scanned"


class InputError(ValueError):
    """A line of the account list, or an option, that cannot be used; the message says which."""


@dataclass(frozen=True)
class Target:
    """One account to scan and the role to assume in it."""

    account_id: str
    role_arn: str

    @property
    def partition(self) -> str:
        return self.role_arn.split(":", 2)[1]


@dataclass(frozen=True)
class Options:
    """What every worker needs to scan an account (sent to each worker once)."""

    region: str
    role_session_name: str = DEFAULT_SESSION_NAME
    external_id: str | None = None
    session_duration: int = 3600
    config_file: str | None = None
    mutelist_file: str | None = None
    log_level: str = "CRITICAL"


@dataclass
class AccountResult:
    """One account's outcome: its findings (Prowler ``Finding`` objects) and how the scan went.

    ``error`` is None when the account was scanned; otherwise it says why not, and ``findings``
    holds the MANUAL (or strict FAIL) ``unreadable-account`` finding of each check.
    """

    target: Target
    findings: list[Any]
    error: str | None
    seconds: float
    worker: int  # the worker's process ID
    worker_peak_rss_kib: int  # the worker's peak resident set size so far (getrusage, KiB)
    statuses: dict[str, int] = field(default_factory=dict)


def parse_targets(lines: Iterable[str], role_name: str, partition: str) -> list[Target]:
    """Targets from account IDs or role ARNs (one per line; blank lines and ``#`` comments ignored).

    A bare account ID gets ``arn:<partition>:iam::<id>:role/<role_name>``; a duplicate account is
    kept once. Raises :class:`InputError` naming every line that is neither.
    """
    targets: dict[str, Target] = {}
    bad: list[str] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        if ACCOUNT_ID.match(text):
            target = Target(text, f"arn:{partition}:iam::{text}:role/{role_name.strip('/')}")
        elif (match := ROLE_ARN.match(text)) is not None:
            target = Target(match.group("account"), text)
        else:
            bad.append(f"line {number}: {text!r}")
            continue
        targets.setdefault(target.account_id, target)
    if bad:
        raise InputError(
            "not a 12-digit account ID nor a role ARN (arn:<partition>:iam::<account>:role/<name>): " + "; ".join(bad)
        )
    return list(targets.values())


# ------------------------------------------------------------------------------------------ workers
# Each worker process holds one _Worker, made by _start_worker when the process starts.
_WORKER: _Worker | None = None


class _PathList(list[str]):
    """A loader's search paths where appending a path already there does nothing (see share_botocore_data)."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


def share_botocore_data() -> bool:
    """Let every botocore session of this process share one data loader; True when it was installed.

    Prowler makes new boto3 sessions for every account (the original one, the assumed role's), and each
    new botocore session parses botocore's JSON data again: the endpoints, and the service models of
    STS, Organizations, EC2 and IAM (EC2's alone is several megabytes). That parsing was a third of a
    worker's time per account (cProfile). A botocore session already shares its one loader, and the
    loader's cache of parsed files, among all its clients and threads; this makes sessions that use the
    default data path share one such loader too. boto3 appends its own data folder to a session's loader
    when it wraps the session, so the shared loader ignores a path it already has. Installed only in
    worker processes, only when botocore looks as expected (else nothing changes).
    """
    import importlib

    # botocore ships no type information: its modules are Any here
    loaders: Any = importlib.import_module("botocore.loaders")
    session: Any = importlib.import_module("botocore.session")
    original = session.create_loader
    if getattr(original, "shared_by_cis_support_role", False):
        return True
    if original is not loaders.create_loader or not hasattr(loaders.Loader, "search_paths"):
        return False
    shared: list[Any] = []

    def create_loader(search_path_string: str | None = None) -> Any:
        if search_path_string:  # a session with its own AWS_DATA_PATH keeps its own loader
            return original(search_path_string)
        if not shared:
            loader = original(None)
            loader._search_paths = _PathList(loader.search_paths)
            shared.append(loader)
        return shared[0]

    create_loader.shared_by_cis_support_role = True  # type: ignore[attr-defined]
    session.create_loader = create_loader
    return True


class _Worker:
    """What a worker loads once: Prowler, our check classes, their metadata with our frameworks."""

    def __init__(self, options: Options) -> None:
        import importlib

        from prowler.config.config import (
            default_config_file_path,
            get_default_mute_file_path,
            load_and_validate_config_file,
        )
        from prowler.lib.check.compliance import update_checks_metadata_with_compliance
        from prowler.lib.check.compliance_models import load_compliance_framework
        from prowler.lib.check.models import load_check_metadata
        from prowler.lib.logger import set_logging_config
        from prowler.providers.aws.lib.mutelist.mutelist import AWSMutelist
        from prowler.providers.common.models import ProviderOutputOptions

        from prowler_checks import generate
        from support_role import RULES

        set_logging_config(options.log_level)
        self.options = options
        # Prowler attaches a framework to a check when the framework lists it; none of Prowler's own
        # frameworks lists ours, so our frameworks give the same compliance data as Prowler's full set.
        frameworks = {
            name: load_compliance_framework(str(generate.compliance_path(name))) for name in generate.FRAMEWORK_NAMES
        }
        metadata = {rule.prowler_id: load_check_metadata(str(generate.metadata_path(rule))) for rule in RULES}
        self.bulk_checks_metadata = update_checks_metadata_with_compliance(frameworks, metadata)
        self.output_options = ProviderOutputOptions(  # type: ignore[no-untyped-call]
            SimpleNamespace(), self.bulk_checks_metadata
        )
        # What AwsProvider would read from disk for every account, read once with Prowler's own readers
        # and handed over as content (its config_content / mutelist_content parameters). A mutelist in
        # S3, Lambda or DynamoDB stays a path: Prowler fetches it per account, as the CLI does.
        self.audit_config = load_and_validate_config_file("aws", options.config_file or default_config_file_path)
        self.mutelist_path = options.mutelist_file or get_default_mute_file_path("aws")
        self.mutelist_content: dict[str, Any] | None = None
        if self.mutelist_path and not self.mutelist_path.startswith(("s3://", "arn:")):
            self.mutelist_content = AWSMutelist(mutelist_path=self.mutelist_path).mutelist or None
            if self.mutelist_content is not None:
                self.mutelist_path = None
        self.check_classes = [
            getattr(importlib.import_module(f"prowler_checks.{rule.prowler_id}.{rule.prowler_id}"), rule.prowler_id)
            for rule in RULES
        ]

    def scan(self, target: Target) -> AccountResult:
        from prowler.lib.check.check import execute
        from prowler.lib.outputs.finding import Finding
        from prowler.providers.aws.aws_provider import AwsProvider

        started = time.monotonic()
        options = self.options
        try:
            # Prowler annotates its optional parameters "str = None" / "dict = None": None is their default
            provider = AwsProvider(
                role_arn=target.role_arn,
                external_id=options.external_id,  # type: ignore[arg-type]
                role_session_name=options.role_session_name,
                session_duration=options.session_duration,
                regions={options.region},
                config_content=dict(self.audit_config),
                mutelist_content=self.mutelist_content,  # type: ignore[arg-type]
                mutelist_path=self.mutelist_path,
            )
        except (Exception, SystemExit) as error:  # Prowler's provider may exit instead of raising
            reason = f"the scan could not start: assuming {target.role_arn} failed: {_describe(error)}"
            return self.not_scanned(target, reason, started)
        findings = []
        for check_class in self.check_classes:
            check = check_class()
            for report in execute(check, provider, None, output_options=None):
                findings.append(Finding.generate_output(provider, report, self.output_options))
        return _result(target, findings, None, started)

    def not_scanned(self, target: Target, reason: str, started: float) -> AccountResult:
        return _result(target, unscanned_findings(target, reason, self.options, self.output_options), reason, started)


def _start_worker(options: Options) -> None:
    global _WORKER
    share_botocore_data()
    _WORKER = _Worker(options)


def _scan_in_worker(target: Target) -> AccountResult:
    assert _WORKER is not None, "worker not started"
    try:
        return _WORKER.scan(target)
    except Exception as error:  # a bug of ours or Prowler's: report the account, keep the worker
        return _WORKER.not_scanned(target, f"the scan failed: {_describe(error)}", time.monotonic())


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _peak_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


def _result(target: Target, findings: list[Any], error: str | None, started: float) -> AccountResult:
    statuses = Counter(str(getattr(f.status, "value", f.status)) for f in findings)
    return AccountResult(
        target, findings, error, round(time.monotonic() - started, 3), os.getpid(), _peak_rss_kib(), dict(statuses)
    )


def unscanned_findings(target: Target, reason: str, options: Options, output_options: Any) -> list[Any]:
    """One finding per check on an account that could not be scanned (``unreadable-account``).

    The text is the core's verdict for an account that could not be read, as a check gives when
    ListEntitiesForPolicy fails; MANUAL, or FAIL with ``support_role_strict_unknown``.
    """
    import importlib

    from prowler.lib.outputs.finding import Finding

    from prowler_checks import runtime
    from support_role import RULES, Account, evaluate_exists

    settings = resolve_settings(options)
    partition = target.partition
    account_arn = f"arn:{partition}:iam::{target.account_id}:root"
    verdict = evaluate_exists(
        Account(address=account_arn, roles=(), unreadable=(reason,), account_id=target.account_id, partition=partition),
        settings.config,
    )
    identity = SimpleNamespace(
        account=target.account_id, partition=partition, account_arn=account_arn, profile=None, profile_region=None
    )
    stand_in = SimpleNamespace(type="aws", identity=identity, organizations_metadata=None)
    findings = []
    for rule in RULES:
        module = importlib.import_module(f"prowler_checks.{rule.prowler_id}.{rule.prowler_id}")
        check = getattr(module, rule.prowler_id)()
        # the exists verdict of an unreadable account, under each check's own rule
        report = runtime.account_report(
            check, stand_in, options.region, replace(verdict, rule_id=rule.id), settings.config
        )
        # the stand-in has what generate_output reads of a provider (type, identity, organizations_metadata)
        findings.append(Finding.generate_output(stand_in, report, output_options))  # type: ignore[arg-type]
    return findings


def resolve_settings(options: Options) -> Any:
    """The settings in force (raises ConfigError): ``--config-file`` read as Prowler reads it, else the environment."""
    from prowler.config.config import load_and_validate_config_file

    from prowler_checks.settings import resolve

    audit_config = load_and_validate_config_file("aws", options.config_file) if options.config_file else {}
    return resolve(audit_config or {})


# ------------------------------------------------------------------------------------------ parent
@dataclass
class Report:
    """The run's outcome: every account's result (without findings) and where the files are."""

    accounts: list[dict[str, Any]]
    files: list[str]
    seconds: float
    jobs: int

    @property
    def not_scanned(self) -> list[dict[str, Any]]:
        return [a for a in self.accounts if a["outcome"] == NOT_SCANNED]

    @property
    def failed(self) -> bool:
        return any(a["statuses"].get("FAIL", 0) for a in self.accounts)


class _Writers:
    """Prowler's own writers, appending each account's findings as it arrives."""

    def __init__(self, output_dir: Path, name: str) -> None:
        from prowler.lib.check.compliance_models import load_compliance_framework

        from prowler_checks import generate

        self.findings_path = output_dir / f"{name}.csv"
        (output_dir / "compliance").mkdir(parents=True, exist_ok=True)
        self.frameworks = {}
        for framework in generate.FRAMEWORK_NAMES:
            compliance = load_compliance_framework(str(generate.compliance_path(framework)))
            if compliance is None:  # Prowler logs why; our files are validated by tests/prowler/test_metadata.py
                raise RuntimeError(f"Prowler could not load our compliance framework {framework}")
            self.frameworks[framework] = (compliance, output_dir / "compliance" / f"{name}_{framework}.csv")
        for path in [self.findings_path, *(path for _, path in self.frameworks.values())]:
            if path.exists():
                path.unlink()  # Prowler's writers append; a rerun with the same name starts afresh

    def add(self, findings: list[Any]) -> None:
        from prowler.lib.outputs.compliance.generic.generic import GenericCompliance
        from prowler.lib.outputs.csv.csv import CSV

        if not findings:
            return
        CSV(findings=findings, file_path=str(self.findings_path)).batch_write_data_to_file()
        for compliance, path in self.frameworks.values():
            GenericCompliance(findings=findings, compliance=compliance, file_path=str(path)).batch_write_data_to_file()

    @property
    def files(self) -> list[Path]:
        return [self.findings_path, *(path for _, path in self.frameworks.values())]


def _requirements(findings: list[Any]) -> dict[str, str]:
    """Each framework's requirement status for one account: FAIL if any FAIL, PASS if all PASS, else MANUAL."""
    per: dict[str, list[str]] = {}
    for finding in findings:
        status = str(getattr(finding.status, "value", finding.status))
        for framework, requirements in finding.compliance.items():
            for requirement in requirements:
                per.setdefault(f"{framework} {requirement}", []).append(status)
    return {
        key: "FAIL" if "FAIL" in statuses else "PASS" if set(statuses) == {"PASS"} else "MANUAL"
        for key, statuses in sorted(per.items())
    }


def scan_accounts(
    targets: Sequence[Target],
    options: Options,
    jobs: int,
    output_dir: Path,
    name: str,
    progress: TextIO | None = None,
) -> Report:
    """Scan every target with at most ``jobs`` worker processes and write the report files.

    Files: ``<output_dir>/<name>.csv`` (Prowler's findings CSV), ``<output_dir>/compliance/<name>_<framework>.csv``
    (Prowler's compliance CSV, one per framework) and ``<output_dir>/<name>.accounts.json`` (the summary).
    ``progress`` gets one line per account. Raises ConfigError before scanning on refused settings.
    """
    resolve_settings(options)  # a refused configuration stops the run before any account is scanned
    output_dir.mkdir(parents=True, exist_ok=True)
    writers = _Writers(output_dir, name)
    started = time.monotonic()
    accounts: list[dict[str, Any]] = []
    for done, result in enumerate(_results(targets, options, jobs), start=1):
        writers.add(result.findings)
        entry = {
            "account_id": result.target.account_id,
            "role_arn": result.target.role_arn,
            "outcome": NOT_SCANNED if result.error else SCANNED,
            "error": result.error,
            "seconds": result.seconds,
            "statuses": result.statuses,
            "requirements": _requirements(result.findings),
            "worker": result.worker,
            "worker_peak_rss_kib": result.worker_peak_rss_kib,
        }
        accounts.append(entry)
        if progress is not None:
            progress.write(_progress_line(done, len(targets), entry))
            progress.flush()
    seconds = time.monotonic() - started
    accounts.sort(key=lambda a: str(a["account_id"]))
    summary_path = output_dir / f"{name}.accounts.json"
    report = Report(accounts, [str(p) for p in [*writers.files, summary_path]], seconds, jobs)
    summary_path.write_text(json.dumps(_summary(report), indent=2) + "\n", encoding="utf-8")
    return report


def _results(targets: Sequence[Target], options: Options, jobs: int) -> Iterator[AccountResult]:
    """Each target's result as soon as it is known; a dead worker makes its accounts not scanned."""
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(options,))
    try:
        futures: dict[Future[AccountResult], Target] = {pool.submit(_scan_in_worker, t): t for t in targets}
        pending = set(futures)
        from concurrent.futures import FIRST_COMPLETED, wait

        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                target = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool as error:
                    yield _parent_not_scanned(target, options, f"a worker process died: {_describe(error)}")
                except Exception as error:
                    yield _parent_not_scanned(target, options, f"the scan failed: {_describe(error)}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_PARENT_OUTPUT_OPTIONS: Any = None


def _parent_not_scanned(target: Target, options: Options, reason: str) -> AccountResult:
    global _PARENT_OUTPUT_OPTIONS
    if _PARENT_OUTPUT_OPTIONS is None:
        _PARENT_OUTPUT_OPTIONS = _Worker(options).output_options
    findings = unscanned_findings(target, reason, options, _PARENT_OUTPUT_OPTIONS)
    return _result(target, findings, reason, time.monotonic())


def _progress_line(done: int, total: int, entry: dict[str, Any]) -> str:
    counts = ", ".join(f"{n} {status}" for status, n in sorted(entry["statuses"].items()))
    head = f"[{done}/{total}] {entry['account_id']}"
    if entry["error"]:
        return f"{head} NOT SCANNED ({counts}): {entry['error']}\n"
    return f"{head} scanned in {entry['seconds']:.1f} s: {counts or 'no findings'}\n"


def _summary(report: Report) -> dict[str, Any]:
    requirements: dict[str, Counter[str]] = {}
    for account in report.accounts:
        for requirement, status in account["requirements"].items():
            requirements.setdefault(requirement, Counter())[status] += 1
    peak = max((a["worker_peak_rss_kib"] for a in report.accounts), default=0)
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "accounts_total": len(report.accounts),
        "accounts_scanned": len(report.accounts) - len(report.not_scanned),
        "accounts_not_scanned": [
            {"account_id": a["account_id"], "role_arn": a["role_arn"], "error": a["error"]} for a in report.not_scanned
        ],
        "seconds": round(report.seconds, 1),
        "accounts_per_hour": round(len(report.accounts) * 3600 / report.seconds) if report.seconds else None,
        "jobs": report.jobs,
        "worker_peak_rss_mib": round(peak / 1024, 1),
        "requirements": {key: dict(sorted(counts.items())) for key, counts in sorted(requirements.items())},
        "files": report.files,
        "accounts": report.accounts,
    }


# ------------------------------------------------------------------------------------------ command
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cis-support-role-prowler-org",
        description="Scan many AWS accounts with the cis-support-role Prowler checks and gather one report.",
        epilog="Exit codes: 0 no FAIL finding, 3 a FAIL finding (-z: 0), 2 bad input or settings.",
    )
    parser.add_argument("accounts", nargs="*", help="account IDs or role ARNs to scan (beside --accounts)")
    parser.add_argument(
        "--accounts",
        dest="accounts_file",
        metavar="FILE",
        help="file of account IDs or role ARNs, one a line ('-': standard input)",
    )
    parser.add_argument(
        "--role-name",
        default=DEFAULT_ROLE_NAME,
        help=f"role assumed in each bare account ID (default {DEFAULT_ROLE_NAME})",
    )
    parser.add_argument("--external-id", help="external ID for AssumeRole")
    parser.add_argument("--role-session-name", default=DEFAULT_SESSION_NAME)
    parser.add_argument("--session-duration", type=int, default=3600, help="AssumeRole duration in seconds")
    parser.add_argument("--partition", default="aws", choices=sorted(REGION_OF_PARTITION))
    parser.add_argument("-f", "--region", help="the region for STS and IAM (default: the partition's main region)")
    parser.add_argument(
        "-j", "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPU count)"
    )
    parser.add_argument("-o", "--output-directory", default="output", help="where the files go (default ./output)")
    parser.add_argument("-F", "--output-filename", help="file name stem (default cis-support-role-org-<time>)")
    parser.add_argument("--config-file", help="Prowler config file with our support_role_* keys under aws:")
    parser.add_argument("--mutelist-file", help="Prowler mutelist applied in every account")
    parser.add_argument("--log-level", default="CRITICAL", choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    parser.add_argument("-z", "--ignore-exit-code-3", action="store_true", help="exit 0 even when a FAIL was found")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from support_role import ConfigError

    args = _parser().parse_args(argv)
    lines: list[str] = list(args.accounts)
    try:
        if args.accounts_file == "-":
            lines += sys.stdin.read().split()
        elif args.accounts_file:
            lines += Path(args.accounts_file).read_text(encoding="utf-8").splitlines()
        targets = parse_targets(lines, args.role_name, args.partition)
        if not targets:
            raise InputError("no account to scan: give account IDs or role ARNs, or --accounts FILE")
        if args.jobs < 1:
            raise InputError(f"--jobs must be at least 1, not {args.jobs}")
        if args.output_filename and "_" in args.output_filename:
            # prowler dashboard takes what precedes the first "_" of a compliance file name as the scan's name
            raise InputError(
                f"--output-filename must not contain '_' (prowler dashboard splits there): {args.output_filename!r}"
            )
    except (InputError, OSError) as error:
        print(f"cis-support-role-prowler-org: {error}", file=sys.stderr)
        return 2
    options = Options(
        region=args.region or REGION_OF_PARTITION[args.partition],
        role_session_name=args.role_session_name,
        external_id=args.external_id,
        session_duration=args.session_duration,
        config_file=args.config_file,
        mutelist_file=args.mutelist_file,
        log_level=args.log_level,
    )
    name = args.output_filename or f"cis-support-role-org-{datetime.now(timezone.utc).strftime('%Y%m%d%H%M%S')}"
    jobs = min(args.jobs, len(targets))
    print(f"Scanning {len(targets)} account(s) with {jobs} worker(s)...", file=sys.stderr, flush=True)
    try:
        report = scan_accounts(targets, options, jobs, Path(args.output_directory), name, progress=sys.stderr)
    except ConfigError as error:
        print(f"cis-support-role-prowler-org: invalid configuration, nothing was scanned: {error}", file=sys.stderr)
        return 2
    _print_summary(report, sys.stdout)
    return 3 if report.failed and not args.ignore_exit_code_3 else 0


def _print_summary(report: Report, out: TextIO) -> None:
    summary = _summary(report)
    out.write(
        f"\n{summary['accounts_scanned']} of {summary['accounts_total']} account(s) scanned in {summary['seconds']} s "
        f"({summary['accounts_per_hour']} accounts/hour, {report.jobs} worker(s), "
        f"peak {summary['worker_peak_rss_mib']} MiB per worker)\n"
    )
    for account in summary["accounts_not_scanned"]:
        out.write(f"NOT SCANNED {account['account_id']}: {account['error']}\n")
    out.write("\nRequirement status by account (FAIL / MANUAL / PASS):\n")
    for requirement, counts in summary["requirements"].items():
        fail, manual, passed = (counts.get(status, 0) for status in ("FAIL", "MANUAL", "PASS"))
        out.write(f"  {requirement}: {fail} FAIL, {manual} MANUAL, {passed} PASS\n")
    out.write("\nFiles:\n" + "".join(f"  {path}\n" for path in summary["files"]))


if __name__ == "__main__":
    sys.exit(main())

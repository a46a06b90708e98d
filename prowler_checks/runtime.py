"""What the four Prowler checks share: read the account once, ask the core, turn verdicts into findings.

* The account is read by :func:`support_role.sources.iam_reader.read_account` through an IAM client
  made from Prowler's own session (its credentials, retry and timeout settings), never through
  Prowler's ``iam_client``, which would enumerate every user, role and policy of the account.
* The three per-role checks also judge IAM Identity Center permission sets, read by
  :func:`support_role.sources.identity_center_reader.read_permission_sets` through SSO Admin clients
  of the same session, in each audited region where Prowler's region table offers Identity Center
  (an account without an instance answers with an empty list). Prowler has no SSO service of its own.
* The read is cached for the process, keyed on the provider object, its session, the account and the
  partition, so a run of the four checks reads the account once.
* Configuration comes from Prowler's ``--config-file`` (``aws:`` section, our ``support_role_*``
  keys), else from ``$CIS_SUPPORT_ROLE_CONFIG`` / ``$CIS_SUPPORT_ROLE_CONFIG_INLINE`` (what Prowler
  App can pass), see :mod:`prowler_checks.settings`. A bad value is logged and turns every check's
  finding into FAIL naming the source and the key; it is never replaced by a default.
* A check never raises (Prowler would drop its findings silently): an unexpected error becomes one
  MANUAL finding on the account, ``check-error``, naming it.
* Status mapping: PASS -> PASS, FAIL -> FAIL, UNKNOWN -> MANUAL, or FAIL when
  ``support_role_strict_unknown`` is true (the same meaning as Checkov's strict mode).
* Every ``status_extended`` and ``resource_details`` is written by the core's codec
  (:func:`support_role._codec.prowler_status_extended`): the reason sentence, the strict-mode token,
  then ``[codes: ...]`` when the verdict has problem codes, so that tools and tests can recover the
  verdict from any Prowler output with :func:`support_role._codec.read_prowler_finding`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any

from prowler.lib.check.models import Check, Check_Report_AWS
from prowler.lib.logger import logger
from prowler.providers.common.provider import Provider

from prowler_checks.settings import Settings, resolve
from support_role import (
    EXISTS,
    Config,
    ConfigError,
    Problem,
    Status,
    Verdict,
    evaluate_exists,
    evaluate_permission_set,
    evaluate_role,
)
from support_role._codec import prowler_resource_details, prowler_status, prowler_status_extended, read_prowler_codes
from support_role._rules import unreadable_permission_sets
from support_role.sources.iam_reader import AccountRead, read_account
from support_role.sources.identity_center_reader import IdentityCenterRead, read_permission_sets

STRICT_KEY = "support_role_strict_unknown"
CONFIG_ERROR_CODE = "invalid-configuration"
CHECK_ERROR_CODE = "check-error"


@dataclass
class FindingResource:
    """The resource of a finding: Prowler reads ``id``/``name``, ``arn``, ``region`` and ``tags``."""

    name: str
    id: str
    arn: str
    region: str
    tags: list[dict[str, str]] = field(default_factory=list)


def codes_of(status_extended: str) -> frozenset[str]:
    """The problem codes a finding carries (empty for a PASS): the codec's reader, kept under this name."""
    return read_prowler_codes(status_extended)


def iam_region(provider: Any) -> str:
    """The region Prowler itself uses for IAM calls (IAM is global; the partition's region is what counts)."""
    try:
        return str(provider.get_default_region("iam"))
    except Exception:  # an unusual provider object: fall back to the partition's global region
        return str(provider.get_global_region())


def iam_client(provider: Any) -> Any:
    """An IAM client from Prowler's session, with Prowler's retry and timeout configuration."""
    session = provider.session.current_session
    return session.client("iam", region_name=iam_region(provider), config=provider.session.session_config)


_lock = threading.Lock()
_cache: dict[str, Any] = {}
_warned: set[str] = set()


def settings(provider: Any) -> Settings:
    """The settings in force for this provider's scan (logs a precedence warning once per process)."""
    resolved = resolve(provider.audit_config or {})
    if resolved.warning is not None and resolved.warning not in _warned:
        _warned.add(resolved.warning)
        logger.warning(f"cis-support-role: {resolved.warning}")
    return resolved


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def account_read(provider: Any, support_policies: frozenset[str] = frozenset()) -> AccountRead:
    """The account's facts, read once per provider, session, account, partition and listed custom
    support policies (``support_role_support_policies``: their holders are read as support roles)."""
    session = provider.session.current_session
    account = str(provider.identity.account)
    partition = str(provider.identity.partition)
    key = (account, partition, support_policies)
    with _lock:
        cached = _cache.get("entry")
        if cached is not None:
            c_provider, c_session, c_key, c_read = cached
            if c_provider is provider and c_session is session and c_key == key:
                return c_read  # type: ignore[no-any-return]
        read = read_account(iam_client(provider), account, partition, support_policies=support_policies)
        for failure in read.failures:
            logger.error(f"cis-support-role: {failure.reason}")
        for note in read.notes:
            logger.warning(f"cis-support-role: {note}")
        # The provider and session are held, not just their ids, so that an id can never be reused.
        _cache["entry"] = (provider, session, key, read)
        return read


def identity_center_regions(provider: Any) -> list[str]:
    """The audited regions where Prowler's region table offers IAM Identity Center (``identity-center``).

    Prowler's ``generate_regional_clients`` cannot serve here: it looks the regions up under the boto3
    service name, and the table names the service ``identity-center`` while boto3 calls it ``sso-admin``.
    """
    from prowler.providers.aws.aws_provider import AwsProvider

    partition = str(provider.identity.partition)
    regions = set(
        AwsProvider.get_available_aws_service_regions("identity-center", partition, provider.identity.audited_regions)
    )
    # The account's enabled and excluded regions, as Prowler's own regional clients honour them.
    enabled = getattr(provider, "_enabled_regions", None)
    if enabled is not None:
        regions &= set(enabled)
    regions -= set(getattr(provider, "_excluded_regions", None) or ())
    return sorted(regions)


def identity_center_read(provider: Any, config: Config) -> IdentityCenterRead:
    """The account's support permission sets, read once per provider, session, account and partition."""
    session = provider.session.current_session
    account = str(provider.identity.account)
    partition = str(provider.identity.partition)
    with _lock:
        cached = _cache.get("identity-center")
        if cached is not None:
            c_provider, c_session, c_key, c_read = cached
            if c_provider is provider and c_session is session and c_key == (account, partition):
                return c_read  # type: ignore[no-any-return]
        clients = {
            region: session.client("sso-admin", region_name=region, config=provider.session.session_config)
            for region in identity_center_regions(provider)
        }
        read = read_permission_sets(clients, iam_client(provider), account, partition, config)
        for failure in read.failures:
            logger.error(f"cis-support-role: {failure.reason}")
        for note in read.notes:
            logger.warning(f"cis-support-role: {note}")
        _cache["identity-center"] = (provider, session, (account, partition), read)
        return read


def _report(
    check: Check, verdict: Verdict, resource: FindingResource, strict: bool, notes: tuple[str, ...] = ()
) -> Check_Report_AWS:
    report = Check_Report_AWS(metadata=check.metadata(), resource=resource)
    report.status = prowler_status(verdict.status, strict)
    report.status_extended = prowler_status_extended(verdict, strict, notes)
    report.resource_details = prowler_resource_details(verdict.evidence)
    return report


def _from_verdict(
    check: Check, verdict: Verdict, resource: FindingResource, config: Config, notes: tuple[str, ...] = ()
) -> Check_Report_AWS:
    return _report(check, verdict, resource, config.strict_unknown, notes)


def _account_finding(
    check: Check, rule_id: str, resource: FindingResource, status: Status, code: str, text: str, strict: bool
) -> Check_Report_AWS:
    """A finding on the account that is not a rule's verdict (the check could not run or was refused)."""
    verdict = Verdict(rule_id, status, resource.name, text, (Problem(code, resource.name, text),))
    return _report(check, verdict, resource, strict)


def _account_resource(provider: Any, region: str) -> FindingResource:
    account = str(provider.identity.account)
    arn = getattr(provider.identity, "account_arn", None) or f"arn:{provider.identity.partition}:iam::{account}:root"
    return FindingResource(name=account, id=account, arn=str(arn), region=region)


def account_report(check: Check, provider: Any, region: str, verdict: Verdict, config: Config) -> Check_Report_AWS:
    """One finding on the account itself with ``verdict``, as the checks report an unreadable account.

    ``provider`` needs only ``identity.account``, ``identity.partition`` (and optionally
    ``identity.account_arn``): prowler_checks.accounts uses it for an account it could not scan.
    """
    return _from_verdict(check, verdict, _account_resource(provider, region), config)


def run_rule(check: Check, rule_id: str) -> list[Check_Report_AWS]:
    """The findings of one rule over the audited account (Prowler's global provider).

    Prowler drops the findings of a check that raises (one log line, exit code 0), so anything
    unexpected becomes one MANUAL finding on the account naming the error (FAIL in strict mode).
    """
    try:
        return _run_rule(check, rule_id)
    except Exception as error:
        logger.exception(f"cis-support-role: {check.CheckID} could not run: {type(error).__name__}: {error}")
        provider = Provider.get_global_provider()
        try:
            strict = settings(provider).config.strict_unknown
        except ConfigError:
            strict = False
        text = (
            f"The check could not run, so nothing was decided: {type(error).__name__}: {error}. "
            "See Prowler's log, fix the cause and scan again."
        )
        resource = _account_resource(provider, iam_region(provider))
        return [_account_finding(check, rule_id, resource, Status.UNKNOWN, CHECK_ERROR_CODE, text, strict)]


def _run_rule(check: Check, rule_id: str) -> list[Check_Report_AWS]:
    provider = Provider.get_global_provider()
    region = iam_region(provider)
    account_resource = _account_resource(provider, region)
    try:
        config = settings(provider).config
    except ConfigError as error:
        # A refused configuration fails the run, as in Checkov: nothing was checked, and a pipeline
        # must not pass on a configuration it did not apply (docs/DECISIONS.md, Configuration).
        logger.error(f"cis-support-role: {check.CheckID}: invalid configuration: {error}")
        text = (
            f"The cis-support-role configuration is invalid, so nothing was checked: {error}. "
            "Fix that setting where it is written and scan again."
        )
        return [_account_finding(check, rule_id, account_resource, Status.FAIL, CONFIG_ERROR_CODE, text, False)]
    read = account_read(provider, config.support_policies)
    if rule_id == EXISTS:
        return [_from_verdict(check, evaluate_exists(read.account, config), account_resource, config, read.notes)]
    findings: list[Check_Report_AWS] = []
    if read.account.unreadable:
        # The support roles themselves could not (all) be listed: say so rather than report nothing.
        unlisted = evaluate_exists(replace(read.account, roles=()), config)
        findings.append(_from_verdict(check, unlisted, account_resource, config))
    for role in read.account.roles:
        verdict = evaluate_role(role, config)[rule_id]
        if verdict is None:  # not a support role: no finding
            continue
        details = read.roles.get(role.name)
        arn = details.arn if details else (role.arn or "")
        tags = [dict(t) for t in details.tags] if details else []
        resource = FindingResource(name=role.name, id=role.name, arn=arn, region=region, tags=tags)
        findings.append(_from_verdict(check, verdict, resource, config))
    return findings + _permission_set_findings(check, rule_id, provider, config, account_resource)


def _permission_set_findings(
    check: Check, rule_id: str, provider: Any, config: Config, account_resource: FindingResource
) -> list[Check_Report_AWS]:
    """The findings of a per-role rule on the account's IAM Identity Center permission sets."""
    identity_center = identity_center_read(provider, config)
    findings: list[Check_Report_AWS] = []
    if identity_center.unreadable:
        unread = unreadable_permission_sets(rule_id, f"account {account_resource.id}", identity_center.unreadable)
        findings.append(_from_verdict(check, unread, account_resource, config))
    for permission_set in identity_center.permission_sets:
        verdict = evaluate_permission_set(permission_set, config)[rule_id]
        if verdict is None:
            continue
        details = identity_center.details[permission_set.address]
        if details.accounts is not None:
            verdict = replace(verdict, evidence=(*verdict.evidence, ("provisioned_to_accounts", details.accounts)))
        resource = FindingResource(
            name=permission_set.name, id=permission_set.name, arn=details.arn, region=details.region
        )
        report = _from_verdict(check, verdict, resource, config)
        report.check_metadata.ResourceType = "Other"  # the metadata's AwsIamRole names the roles' findings
        findings.append(report)
    return findings

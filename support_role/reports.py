"""Our findings read back from the scanners' own output files, through the verdict codec.

* Checkov's JSON (``checkov -o json``): one framework's report, or a list of them; a bare summary
  (``{"passed": 0, ...}``) when there was nothing to scan. Our results are those of the check IDs
  in :data:`~support_role.RULES`; the verdict each carries is in its ``details`` lines
  (:func:`support_role._codec.read_checkov_details`), which Checkov's Terraform runners copy into
  the record and its other runners leave in ``check_result``.
* Prowler's JSON-OCSF (``prowler -M json-ocsf``): a list of findings; ours are those whose
  ``metadata.event_code`` is one of our Prowler check IDs, their verdict is in ``status_code`` and
  ``status_detail`` (:func:`support_role._codec.read_prowler_finding`), the role in
  ``resources[0].name``.

The doctor, the demo's report and the tests read scanner output here and nowhere else. Standard
library only; :class:`ReportError` for a file that is not such an output.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ._codec import CHECKOV_PASSED, VerdictKey, WireVerdict, read_checkov_details, read_prowler_finding
from ._metadata import EXISTS, RULES
from ._verdict import Status

ACCOUNT = "(account)"
"""The ``role`` of an account-level finding (the exists rule)."""

_CHECKOV_RULES = {rule.checkov_id: rule.id for rule in RULES}
_PROWLER_RULES = {rule.prowler_id: rule.id for rule in RULES}
_CHECKOV_BUCKETS = (("passed_checks", "PASSED"), ("failed_checks", "FAILED"), ("skipped_checks", "SKIPPED"))


class ReportError(ValueError):
    """A scanner output that cannot be read as one (the message says what was expected)."""


@dataclass(frozen=True)
class Finding:
    """One result of one of our checks, as a scanner reported it.

    ``result`` is the scanner's own word (Checkov ``PASSED``/``FAILED``/``SKIPPED``, Prowler
    ``PASS``/``FAIL``/``MANUAL``); ``wire`` the verdict the finding carries, None for a Checkov
    result without our details (a skipped check, or an output that dropped them).
    """

    scanner: str  # "checkov" or "prowler"
    check_id: str
    rule: str  # the core's rule ID
    role: str  # the IAM role judged, or ACCOUNT for the account-level rule
    result: str
    wire: WireVerdict | None
    resource: str = ""  # Checkov: the resource address; Prowler: the resource's name
    resource_uid: str = ""  # Prowler: the resource's ARN (the account's ID for the exists check)
    file_path: str = ""  # Checkov: as reported, relative to the scanned folder with a leading "/"
    file_abs_path: str = ""  # Checkov
    framework: str = ""  # Checkov: the report's check_type (terraform, terraform_plan, cloudformation...)
    details: tuple[str, ...] = ()  # Checkov: the details lines as reported

    @property
    def key(self) -> VerdictKey:
        """The verdict's status and codes; for a Checkov result without details, its result alone."""
        if self.wire is not None:
            return self.wire.key
        return VerdictKey(Status.PASS if self.result == CHECKOV_PASSED else Status.FAIL)

    @property
    def status(self) -> Status:
        status = self.key.status
        assert status is not None  # a finding always has a status; NA is the absence of one
        return status

    @property
    def codes(self) -> frozenset[str]:
        return self.key.codes

    @property
    def verdict(self) -> str:
        """The verdict key: ``"PASS"``, ``"FAIL code code"``, ``"UNKNOWN code"``."""
        return str(self.key)

    @property
    def reason(self) -> str:
        return self.wire.reason if self.wire is not None else ""

    @property
    def strict(self) -> bool:
        """An UNKNOWN verdict reported as a failure because of ``support_role_strict_unknown``."""
        return self.wire is not None and self.wire.strict

    @property
    def scope(self) -> str:
        """The root module a Checkov result belongs to: a Terraform directory, or the file itself
        (a plan JSON, a template); "" for Prowler."""
        if self.scanner != "checkov":
            return ""
        path = self.file_abs_path or self.file_path
        return os.path.dirname(path) if self.framework == "terraform" else path


# ------------------------------------------------------------------------------------ Checkov
def checkov_finding(
    framework: str,
    result: str,
    check_id: str,
    resource: str,
    file_path: str,
    file_abs_path: str,
    details: Sequence[str],
) -> Finding | None:
    """One Checkov result as a :class:`Finding`; None when ``check_id`` is not one of ours."""
    rule = _CHECKOV_RULES.get(check_id)
    if rule is None:
        return None
    wire = read_checkov_details(details)
    role = ACCOUNT
    if rule != EXISTS:
        names = dict(wire.evidence).get("role", ()) if wire is not None else ()
        role = names[0] if names else resource
    return Finding(
        "checkov", check_id, rule, role, result, wire, resource, "", file_path, file_abs_path, framework, tuple(details)
    )


def _details(record: Mapping[str, object]) -> list[str]:
    details = record.get("details")
    if not details:
        check_result = record.get("check_result")
        details = check_result.get("details") if isinstance(check_result, Mapping) else None
    return [str(line) for line in details] if isinstance(details, list) else []


def _checkov_reports(data: object) -> list[Mapping[str, object]]:
    reports = data if isinstance(data, list) else [data]
    found: list[Mapping[str, object]] = []
    for report in reports:
        if isinstance(report, Mapping) and isinstance(report.get("results"), Mapping):
            found.append(report)
        elif not (isinstance(report, Mapping) and "passed" in report and "failed" in report):
            raise ReportError("not a Checkov JSON report (no 'results' in it)")
    return found


def read_checkov(data: object) -> list[Finding]:
    """Our results in Checkov's JSON output (parsed): one framework's report or a list of them."""
    findings: list[Finding] = []
    for report in _checkov_reports(data):
        framework = str(report.get("check_type", ""))
        results = report["results"]
        assert isinstance(results, Mapping)
        for bucket, result in _CHECKOV_BUCKETS:
            for record in results.get(bucket) or []:
                if not isinstance(record, Mapping):
                    continue
                finding = checkov_finding(
                    framework,
                    result,
                    str(record.get("check_id", "")),
                    str(record.get("resource", "")),
                    str(record.get("file_path", "")),
                    str(record.get("file_abs_path", "")),
                    _details(record),
                )
                if finding is not None:
                    findings.append(finding)
    return findings


def checkov_parsing_errors(data: object) -> list[str]:
    """The files Checkov could not parse (its reports' ``results.parsing_errors``): Checkov scans
    on without them, so none of their resources has a result. That includes files whose HCL took
    longer to parse than ``$HCL_PARSE_TIMEOUT_SEC`` (10 seconds by default, wall clock: a large file
    on a busy machine)."""
    files: list[str] = []
    for report in _checkov_reports(data):
        results = report["results"]
        assert isinstance(results, Mapping)
        errors = results.get("parsing_errors")
        files += [str(item) for item in errors] if isinstance(errors, list) else []
    return files


# ------------------------------------------------------------------------------------ Prowler
def prowler_finding(
    check_id: str,
    status: str,
    status_extended: str,
    resource_name: str,
    resource_uid: str = "",
    resource_details: str = "",
) -> Finding | None:
    """One Prowler finding as a :class:`Finding`; None when ``check_id`` is not one of ours.

    Raises :class:`ReportError` for a status our checks never give."""
    rule = _PROWLER_RULES.get(check_id)
    if rule is None:
        return None
    try:
        wire = read_prowler_finding(status, status_extended, resource_details)
    except ValueError as error:
        raise ReportError(f"{check_id} on {resource_name}: {error}") from None
    role = ACCOUNT if rule == EXISTS else resource_name
    return Finding("prowler", check_id, rule, role, status, wire, resource_name, resource_uid)


def read_prowler_ocsf(data: object) -> list[Finding]:
    """Our findings in Prowler's JSON-OCSF output (parsed: a list of findings)."""
    if not isinstance(data, list):
        raise ReportError("not a Prowler JSON-OCSF file (expected a list of findings)")
    findings: list[Finding] = []
    for item in data:
        if not isinstance(item, Mapping):
            continue
        metadata = item.get("metadata")
        check_id = metadata.get("event_code") if isinstance(metadata, Mapping) else None
        resources = item.get("resources")
        first = resources[0] if isinstance(resources, list) and resources else None
        name = str(first.get("name") or "") if isinstance(first, Mapping) else ""
        uid = str(first.get("uid") or "") if isinstance(first, Mapping) else ""
        finding = prowler_finding(
            str(check_id), str(item.get("status_code", "")), str(item.get("status_detail") or ""), name, uid
        )
        if finding is not None:
            findings.append(finding)
    return findings

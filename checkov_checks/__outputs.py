"""The command's output step: our reason in every output format of Checkov 3.3 that has a place for it.

A check can hand Checkov its reason only as ``details`` (lines of text), and Checkov's writers use
them unevenly: its Terraform runners copy them into the report's records, its CloudFormation and
serverless runners do not; the CLI, JSON and CSV writers show a record's details, the JUnit XML,
CycloneDX, GitLab SAST and GitHub Markdown writers ignore them, and the SARIF writer turns each
line into an ``attachment`` that the SARIF 2.1.0 schema refuses (a string ``description``, no
``artifactLocation``). So ``cis-support-role-checkov``, around Checkov's ``print_results``:

========================  ==================================================================
format                    where the reason goes
========================  ==================================================================
cli, json, csv            the record's details (copied from the check's result where the
                          runner dropped them: CloudFormation, serverless)
sarif                     ``result.message.text`` (our rules: the details, reason first; other
                          checks: Checkov's text, then their details); the invalid attachments
                          are removed, so the log validates against the OASIS 2.1.0 schema
junitxml                  the failure's text, before Checkov's resource/file/guideline lines
cyclonedx, cyclonedx_json the vulnerability's ``detail`` (CycloneDX 1.4)
gitlab_sast               the vulnerability's ``description``, before Checkov's link
github_failed_only        the "Check Name" cell: ``<title>: <reason>``
spdx                      nowhere: an SPDX document lists packages, not misconfigurations
========================  ==================================================================

Checkov's writers are wrapped only while the command prints (and restored after); plain
``checkov --external-checks-dir`` runs them unchanged. The tests in
``tests/checkov/test_checkov_reasons.py`` read every format back from the real command.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from support_role import RULES

LOG = logging.getLogger("cis_support_role.checkov")
OUR_CHECK_IDS = frozenset(rule.checkov_id for rule in RULES)
DETAIL_INDENT = "         "  # continuation lines line up under "Details: ", as in Checkov's CLI


def _records(reports: Iterable[Any]) -> Iterator[Any]:
    for report in reports:
        yield from itertools.chain(report.failed_checks, report.passed_checks, report.skipped_checks)


def details_of(record: Any) -> list[str]:
    """The details lines of one of our records: the record's own, else those kept in its result."""
    details = list(getattr(record, "details", None) or [])
    result = getattr(record, "check_result", None)
    if not details and isinstance(result, Mapping):
        details = list(result.get("details") or [])
    return [str(line) for line in details]


def fill_details(reports: Iterable[Any]) -> None:
    """Give our records whose runner dropped the details (CloudFormation, serverless) their details."""
    for record in _records(reports):
        if record.check_id in OUR_CHECK_IDS and not record.details:
            record.details = details_of(record)


def sarif_results_with_reasons(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """SARIF results whose details are in the message text instead of invalid attachments.

    Checkov writes each details line as ``{"description": "<line>"}``: the SARIF 2.1.0 schema
    wants a ``message`` object there and an ``artifactLocation`` in every attachment. Such
    attachments are removed and their text moves into ``message.text``: for our rules the
    details alone (the first line is the reason sentence; the rule's title is the rule's name),
    for any other check after Checkov's own text. Other results are returned unchanged.
    """
    out: list[dict[str, Any]] = []
    for result in results:
        attachments = result.get("attachments")
        lines = [a.get("description") for a in attachments or () if isinstance(a, Mapping)]
        if not attachments or len(lines) != len(attachments) or not all(isinstance(x, str) for x in lines):
            out.append(result)
            continue
        fixed = {k: v for k, v in result.items() if k != "attachments"}
        text = str((result.get("message") or {}).get("text") or "")
        body = "\n".join(str(x) for x in lines)
        fixed["message"] = {
            **(result.get("message") or {}),
            "text": body if result.get("ruleId") in OUR_CHECK_IDS or not text else f"{text}\n{body}",
        }
        out.append(fixed)
    return out


def details_block(details: Sequence[str]) -> str:
    """Details lines as Checkov's CLI writes them (``Details: <first>`` and aligned continuations)."""
    if not details:
        return ""
    return "\n".join([f"Details: {details[0]}", *(DETAIL_INDENT + line for line in details[1:])])


def markdown_cell(text: str) -> str:
    """Text safe inside one cell of a Markdown table (no line breaks, escaped pipes)."""
    return " ".join(text.split()).replace("|", "\\|")


# ----------------------------------------------------------------------- wrapping the writers
@contextmanager
def _wrapped(owner: type, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Iterator[None]:
    original = owner.__dict__.get(name)
    if original is None:  # another Checkov release: print as Checkov does (tests/checkov fail on it)
        LOG.debug("Checkov's %s.%s is not there: our reasons are not added to that format", owner.__name__, name)
        yield
        return
    setattr(owner, name, make(original))
    try:
        yield
    finally:
        setattr(owner, name, original)


def _sarif(original: Callable[..., list[dict[str, Any]]]) -> Callable[..., list[dict[str, Any]]]:
    def _create_results(self: Any) -> list[dict[str, Any]]:
        return sarif_results_with_reasons(original(self))

    return _create_results


def _junit(original: Callable[..., str]) -> Callable[..., str]:
    def _create_test_case_failure_output(self: Any, record: Any) -> str:
        output = original(self, record)
        if record.check_id in OUR_CHECK_IDS and (details := details_of(record)):
            return f"{details_block(details)}\n{output}"
        return output

    return _create_test_case_failure_output


def _cyclonedx(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_iac_vulnerability(self: Any, resource: Any, component: Any) -> Any:
        vulnerability = original(self, resource, component)
        if resource.check_id in OUR_CHECK_IDS and (details := details_of(resource)):
            vulnerability.detail = "\n".join(details)
        return vulnerability

    return create_iac_vulnerability


def _gitlab(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def _create_iac_vulnerability(self: Any, record: Any) -> dict[str, Any]:
        vulnerability = original(self, record)
        if record.check_id in OUR_CHECK_IDS and (details := details_of(record)):
            vulnerability["description"] = "\n".join([*details, str(vulnerability.get("description") or "")]).strip()
        return vulnerability

    return _create_iac_vulnerability


def _github(original: Callable[..., str]) -> Callable[..., str]:
    def print_failed_github_md(self: Any, use_bc_ids: bool = False) -> str:
        renamed = []
        for record in self.failed_checks:
            if record.check_id in OUR_CHECK_IDS and (details := details_of(record)):
                renamed.append((record, record.check_name))
                record.check_name = markdown_cell(f"{record.check_name}: {details[0]}")
        try:
            return original(self, use_bc_ids)
        finally:
            for record, name in renamed:
                record.check_name = name

    return print_failed_github_md


@contextmanager
def reasons_in_writers() -> Iterator[None]:
    """Checkov's writers, changed as the module docstring says, for the duration of the block."""
    from checkov.common.output.cyclonedx import CycloneDX
    from checkov.common.output.gitlab_sast import GitLabSast
    from checkov.common.output.report import Report
    from checkov.common.output.sarif import Sarif

    with ExitStack() as stack:
        stack.enter_context(_wrapped(Sarif, "_create_results", _sarif))
        stack.enter_context(_wrapped(Report, "_create_test_case_failure_output", _junit))
        stack.enter_context(_wrapped(Report, "print_failed_github_md", _github))
        stack.enter_context(_wrapped(CycloneDX, "create_iac_vulnerability", _cyclonedx))
        stack.enter_context(_wrapped(GitLabSast, "_create_iac_vulnerability", _gitlab))
        yield

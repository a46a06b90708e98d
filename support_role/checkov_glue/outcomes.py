"""A Checkov result from a verdict: the result, the details lines, the log line that keeps UNKNOWN visible.

* PASS -> ``PASSED``, FAIL -> ``FAILED``, not a support role -> ``UNKNOWN`` (Checkov hides it).
* UNKNOWN -> ``UNKNOWN`` plus one WARNING log line on stderr naming the check, the resource and
  the reason (Checkov drops UNKNOWN results from every report, so the log line is what keeps it
  visible); in strict mode (``support_role_strict_unknown``) -> ``FAILED``, the details marked with
  the codec's strict token.
* ``details`` (shown by Checkov's CLI, JSON and SARIF output): the lines written by
  :func:`support_role._codec.checkov_details`.
* A configuration that cannot be read fails every result with the error in the details (and
  one ERROR log line): a bad configuration is never silently replaced by the defaults.
* Settings changed after the checks were loaded, so that the exists check's registration misses
  carriers: one ERROR log line per process, and FAILED on the carriers the check still sees.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from .._codec import CHECKOV_FAILED, CHECKOV_PASSED, CHECKOV_UNKNOWN, checkov_details, checkov_result
from .._config import CONFIG_ENV, INLINE_CONFIG_ENV, Config, ConfigError
from .._metadata import RULES_BY_ID
from .._verdict import Problem, Status, Verdict
from .settings import current_config

LOG = logging.getLogger("cis_support_role.checkov")

PASSED, FAILED, UNKNOWN = CHECKOV_PASSED, CHECKOV_FAILED, CHECKOV_UNKNOWN
CONFIG_ERROR_CODE = "invalid-configuration"


@dataclass(frozen=True)
class Outcome:
    """A Checkov result: ``PASSED``, ``FAILED`` or ``UNKNOWN``, and the details lines."""

    result: str
    details: tuple[str, ...] = ()


NOT_APPLICABLE = Outcome(UNKNOWN)
"""No result (not a support role, not the carrier of an account's result): Checkov hides UNKNOWN."""

_RULE_OF_CHECK: dict[str, str] = {rule.checkov_id: rule.id for rule in RULES_BY_ID.values()}
_LOGGED_ERRORS: set[str] = set()


def rule_of(check_id: str) -> str:
    """The core rule ID of a Checkov check ID (KeyError for a check that is not ours)."""
    return _RULE_OF_CHECK[check_id]


def scanned_file_of(entity_path: str) -> str:
    """The file part of Checkov's ``entity_path`` (``file:type:name``)."""
    parts = entity_path.rsplit(":", 2)
    return parts[0] if len(parts) == 3 else ""


def outcome_of(verdict: Verdict | None, config: Config, check_id: str) -> Outcome:
    """The Checkov result for a verdict (None: not a support role, hidden by Checkov)."""
    if verdict is None:
        return NOT_APPLICABLE
    result = checkov_result(verdict.status, config.strict_unknown)
    details = checkov_details(verdict, config.strict_unknown)
    if result == UNKNOWN:
        # the reason, then the verdict line with the problem codes (as in the details), for tools to match on
        LOG.warning(
            "%s UNKNOWN for %s (Checkov hides UNKNOWN results; set support_role_strict_unknown to fail on them): %s %s",
            check_id,
            verdict.resource,
            verdict.reason,
            details[1],
        )
    return Outcome(result, details)


def config_failure(error: ConfigError, check_id: str, resource: str) -> Outcome:
    """FAILED ``invalid-configuration`` naming the error (logged once per message)."""
    message = f"cis-support-role configuration error: {error}"
    if message not in _LOGGED_ERRORS:
        _LOGGED_ERRORS.add(message)
        LOG.error(message)
    # FAIL with the code Prowler's checks give a refused configuration too (docs/DECISIONS.md)
    source = os.environ.get(CONFIG_ENV) or (INLINE_CONFIG_ENV if os.environ.get(INLINE_CONFIG_ENV) else CONFIG_ENV)
    problem = Problem(CONFIG_ERROR_CODE, source, str(error))
    verdict = Verdict(rule_of(check_id), Status.FAIL, resource, message, (problem,))
    return Outcome(FAILED, checkov_details(verdict, strict_unknown=False))


STALE_REGISTRATION = (
    "cis-support-role: the settings changed after Checkov loaded the checks: {check_id} is registered for "
    "{types} only (the settings at load named no support_role_account_baseline_paths and read), but the "
    "settings in force now name baseline paths or do not read, so a baseline root whose result falls on "
    "another resource type gets no result in this scan. Load the checks again after changing the settings "
    "(run checkov again, or Runner.run with external_checks_dir)."
)
"""The ERROR line (and the reason of the FAILED results) of a registration the settings outgrew."""


def log_stale_registration(check_id: str, registered_for: tuple[str, ...]) -> str:
    """Log :data:`STALE_REGISTRATION` at ERROR, once per process and message; returns the message."""
    message = STALE_REGISTRATION.format(check_id=check_id, types=", ".join(registered_for))
    if message not in _LOGGED_ERRORS:
        _LOGGED_ERRORS.add(message)
        LOG.error(message)
    return message


def stale_registration_failure(check_id: str, registered_for: tuple[str, ...], resource: str) -> Outcome:
    """FAILED ``invalid-configuration`` on a carrier the exists check ``check_id`` still sees.

    ``registered_for`` is what the check was registered for. The settings the checks were loaded
    with are not the ones in force, so the scan's account-level results are incomplete: the code
    is the one a refused configuration gets, the reason the ERROR line's message.
    """
    message = log_stale_registration(check_id, registered_for)
    problem = Problem(CONFIG_ERROR_CODE, check_id, f"registered for {', '.join(registered_for)} under other settings")
    verdict = Verdict(rule_of(check_id), Status.FAIL, resource, message, (problem,))
    return Outcome(FAILED, checkov_details(verdict, strict_unknown=False))


def nested_too_deeply(check_id: str, entity_path: str) -> Outcome:
    """UNKNOWN (FAILED in strict mode) for a resource nested beyond Python's recursion limit.

    Checkov turns an exception in a check into a hidden UNKNOWN even in strict mode; this keeps
    the strict reading and says why.
    """
    config = current_config()
    resource = entity_path.rsplit(":", 1)[-1] or entity_path
    detail = "it is nested too deeply to read"
    verdict = Verdict(
        rule_of(check_id),
        Status.UNKNOWN,
        resource,
        f"{resource} could not be decided: {detail}. Make it readable to the scanner and scan again.",
        (Problem("unreadable-resource", resource, detail),),
    )
    return outcome_of(verdict, config if isinstance(config, Config) else Config(), check_id)

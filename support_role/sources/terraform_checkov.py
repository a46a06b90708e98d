"""What the Checkov checks need beyond the facts: configuration, caches and the result shape.

Imports no Checkov: the check classes in ``checkov_checks/`` hand over what Checkov gave them
(``conf``, ``self.graph``, ``self.entity_path``) and turn an :class:`Outcome` back into
Checkov's ``CheckResult`` and ``details``. Everything here is testable without Checkov.

Results:

* PASS -> ``PASSED``, FAIL -> ``FAILED``, not a support role -> ``UNKNOWN`` (Checkov hides it).
* UNKNOWN -> ``UNKNOWN`` plus one WARNING log line on stderr naming the check, the resource and
  the reason (Checkov drops UNKNOWN results from every report, so the log line is what keeps it
  visible); in strict mode (``support_role_strict_unknown``) -> ``FAILED`` with details that say
  the verdict was UNKNOWN.
* ``details`` (shown by Checkov's CLI, JSON and SARIF output): the lines written by
  :func:`support_role._codec.checkov_details` (the reason, the strict-mode token line, the
  ``verdict:`` line with the status and problem codes, the problems and the evidence).
* A configuration that cannot be read fails every result with the error in the details (and
  one ERROR log line): a bad configuration is never silently replaced by the defaults.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import FrameType

from .._codec import CHECKOV_FAILED, CHECKOV_PASSED, CHECKOV_UNKNOWN, checkov_details, checkov_result
from .._config import CONFIG_ENV, INLINE_CONFIG_ENV, Config, ConfigError, config_from_environment
from .._metadata import EXISTS, RULES_BY_ID
from .._rules import evaluate_exists, evaluate_role
from .._verdict import Problem, Status, Verdict
from .terraform import RootModule, TerraformIndex, display_path, role_from_conf

LOG = logging.getLogger("cis_support_role.checkov")

PASSED, FAILED, UNKNOWN = CHECKOV_PASSED, CHECKOV_FAILED, CHECKOV_UNKNOWN
CONFIG_ERROR_CODE = "invalid-configuration"


@dataclass(frozen=True)
class Outcome:
    """A Checkov result: ``PASSED``, ``FAILED`` or ``UNKNOWN``, and the details lines."""

    result: str
    details: tuple[str, ...] = ()


NOT_APPLICABLE = Outcome(UNKNOWN)


# ------------------------------------------------------------------------------ configuration
_CONFIG_CACHE: dict[tuple[str, float, str], Config | ConfigError] = {}
_CONFIG_SEEN: dict[str, tuple[float, float]] = {}  # path -> (when its mtime was read, that mtime)
_RESTAT_SECONDS = 1.0
_LOGGED_ERRORS: set[str] = set()


def current_config(environ: Mapping[str, str] | None = None) -> Config | ConfigError:
    """The configuration of ``$CIS_SUPPORT_ROLE_CONFIG`` (read once per file version) or ``..._INLINE``.

    Every check of every resource asks for it, so the file's modification time is looked at no
    more than once a second.
    """
    env = os.environ if environ is None else environ
    path = env.get(CONFIG_ENV) or ""
    now = time.monotonic()
    seen = _CONFIG_SEEN.get(path)
    if seen is not None and now - seen[0] < _RESTAT_SECONDS:
        mtime = seen[1]
    else:
        try:
            mtime = os.stat(path).st_mtime if path else 0.0
        except OSError:
            mtime = -1.0
        _CONFIG_SEEN[path] = (now, mtime)
    key = (path, mtime, env.get(INLINE_CONFIG_ENV) or "")
    cached = _CONFIG_CACHE.get(key)
    if cached is None:
        try:
            cached = config_from_environment(env)
        except ConfigError as error:
            cached = error
        if len(_CONFIG_CACHE) > 16:
            _CONFIG_CACHE.clear()
            _CONFIG_SEEN.clear()
        _CONFIG_CACHE[key] = cached
    return cached


def config_failure(error: ConfigError, check_id: str, resource: str) -> Outcome:
    """FAILED ``invalid-configuration`` naming the error (logged once per message)."""
    message = f"cis-support-role configuration error: {error}"
    if message not in _LOGGED_ERRORS:
        _LOGGED_ERRORS.add(message)
        LOG.error(message)
    # FAIL with the code Prowler's checks give a refused configuration too (docs/DECISIONS.md)
    source = os.environ.get(CONFIG_ENV) or CONFIG_ENV
    problem = Problem(CONFIG_ERROR_CODE, source, str(error))
    verdict = Verdict(rule_of(check_id), Status.FAIL, resource, message, (problem,))
    return Outcome(FAILED, checkov_details(verdict, strict_unknown=False))


def glob_pattern(pattern: str) -> re.Pattern[str]:
    """A path glob: ``*`` and ``?`` stay within one path segment, ``**`` spans segments."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def is_baseline(root: str, config: Config) -> bool:
    """Whether ``support_role_account_baseline_paths`` names this root (a directory or a file).

    Each pattern is a path glob (``*`` within a segment, ``**`` across segments) matched against
    the root's absolute path and its path relative to the working directory; for a file root
    (plan JSON, template) its directory is tried too. A trailing ``/`` is ignored; ``.`` names
    the working directory.
    """
    if not config.account_baseline_paths:
        return False
    absolute = os.path.abspath(root)
    candidates = {absolute, os.path.normpath(display_path(absolute))}
    if os.path.splitext(absolute)[1] and not os.path.isdir(absolute):
        directory = os.path.dirname(absolute)
        candidates |= {directory, os.path.normpath(display_path(directory))}
    posix = {c.replace(os.sep, "/") for c in candidates}
    for raw in config.account_baseline_paths:
        pattern = raw.replace(os.sep, "/").rstrip("/") or "/"
        forms = {os.path.normpath(pattern).replace(os.sep, "/")}
        if not os.path.isabs(pattern):
            forms.add(os.path.normpath(os.path.abspath(pattern)).replace(os.sep, "/"))
        if any(glob_pattern(form).match(c) for form in forms for c in posix):
            return True
    return False


# ----------------------------------------------------------------------------------- results
def outcome_of(verdict: Verdict | None, config: Config, check_id: str) -> Outcome:
    """The Checkov result for a verdict (None: not a support role, hidden by Checkov)."""
    if verdict is None:
        return NOT_APPLICABLE
    result = checkov_result(verdict.status, config.strict_unknown)
    if result == UNKNOWN:
        LOG.warning(
            "%s UNKNOWN for %s (Checkov hides UNKNOWN results; set support_role_strict_unknown to fail on them): %s",
            check_id,
            verdict.resource,
            verdict.reason,
        )
    return Outcome(result, checkov_details(verdict, config.strict_unknown))


_RULE_OF_CHECK: dict[str, str] = {rule.checkov_id: rule.id for rule in RULES_BY_ID.values()}


def rule_of(check_id: str) -> str:
    """The core rule ID of a Checkov check ID."""
    return _RULE_OF_CHECK[check_id]


def scanned_file_of(entity_path: str) -> str:
    """The file part of Checkov's ``entity_path`` (``file:type:name``)."""
    parts = entity_path.rsplit(":", 2)
    return parts[0] if len(parts) == 3 else ""


# ---------------------------------------------------------------------------------- the scan
def graph_vertices(graph: object) -> Iterator[Mapping[str, object]]:
    """The attribute mapping of every vertex of Checkov's graph (rustworkx or networkx)."""
    nodes = getattr(graph, "nodes", None)
    if nodes is None:
        return
    try:
        items: Iterable[object] = nodes(data=True)  # networkx: (id, attributes)
    except TypeError:
        items = nodes()  # rustworkx: payloads, which Checkov makes (index, attributes)
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Mapping):
            yield item[1]
        elif isinstance(item, Mapping):
            yield item


@dataclass
class _Scan:
    graph: object
    index: TerraformIndex
    role_verdicts: dict[tuple[str, str | None, Config], dict[str, Verdict | None]] = field(default_factory=dict)
    exists_verdicts: dict[tuple[str, Config], Verdict] = field(default_factory=dict)


_SCANS: list[_Scan] = []
_MAX_SCANS = 2  # one graph per framework run; keep the previous one while a second runner starts


def scan_of(graph: object, vertices: Callable[[], Iterable[Mapping[str, object]]] | None = None) -> _Scan:
    """The index of a graph, built on first use and reused by every check of the scan."""
    for scan in _SCANS:
        if scan.graph is graph:
            return scan
    scan = _Scan(graph, TerraformIndex(vertices() if vertices is not None else graph_vertices(graph)))
    _SCANS.insert(0, scan)
    del _SCANS[_MAX_SCANS:]
    return scan


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


def terraform_outcome(
    check_id: str, conf: Mapping[str, object], graph: object, entity_path: str, frame: FrameType | None = None
) -> Outcome:
    """The result of one of our Terraform checks on one resource.

    ``graph`` is Checkov's ``self.graph``. Checkov's ``terraform_json`` runner (``.tf.json``
    files) gives its checks no graph and no address; its graph is then taken from the calling
    frames (the runner keeps it in a local variable, ``local_graph``), and the address is made
    from the entity's type and name.
    """
    try:
        return _terraform_outcome(check_id, conf, graph, entity_path, frame or sys._getframe(1))
    except RecursionError:
        return nested_too_deeply(check_id, entity_path)


def _terraform_outcome(
    check_id: str, conf: Mapping[str, object], graph: object, entity_path: str, frame: FrameType | None
) -> Outcome:
    config = current_config()
    rule_id = rule_of(check_id)
    if isinstance(config, ConfigError) and rule_id != EXISTS:
        return config_failure(config, check_id, str(conf.get("__address__") or entity_path))
    scanned_file = scanned_file_of(entity_path)
    address = conf.get("__address__")
    if not isinstance(address, str):
        parts = entity_path.rsplit(":", 2)
        if len(parts) != 3:
            return NOT_APPLICABLE
        address = f"{parts[1]}.{parts[2]}"
    scan = scan_of(graph) if graph is not None else _local_graph_scan(frame or sys._getframe(1))
    if isinstance(config, ConfigError):  # the exists check fails once per root, on its carrier
        root = scan.index.root_of_resource(address, scanned_file) if scan is not None else None
        carries = root is not None and root.carrier() == address
        return config_failure(config, check_id, address) if carries else NOT_APPLICABLE
    if rule_id == EXISTS:
        if scan is None:
            return NOT_APPLICABLE  # without a graph no root module can be seen whole
        return _exists_outcome(scan, address, scanned_file, config, check_id)
    if scan is None:
        return outcome_of(evaluate_role(role_from_conf(conf, address), config)[rule_id], config, check_id)
    key = (address, scanned_file, config)
    verdicts = scan.role_verdicts.get(key)
    if verdicts is None:
        role = scan.index.role(address, scanned_file)
        if role is None:  # a role the graph does not hold: read what its own resource says
            role = role_from_conf(conf, address)
        verdicts = scan.role_verdicts[key] = evaluate_role(role, config)
    return outcome_of(verdicts[rule_id], config, check_id)


def _local_graph_scan(frame: FrameType | None) -> _Scan | None:
    """The scan of the graph a calling Checkov runner holds as ``local_graph`` (see above)."""
    depth = 0
    while frame is not None and depth < 16:
        local_graph = frame.f_locals.get("local_graph")
        vertices = getattr(local_graph, "vertices", None)
        if isinstance(vertices, list):
            return scan_of(
                local_graph, functools.partial(_block_attributes, vertices, frame.f_locals.get("root_folder"))
            )
        frame = frame.f_back
        depth += 1
    return None


def _block_attributes(blocks: list[object], root_folder: object) -> Iterator[Mapping[str, object]]:
    """Vertex attributes of Checkov's graph blocks, their file paths made absolute."""
    base = root_folder if isinstance(root_folder, str) else os.getcwd()
    for block in blocks:
        get = getattr(block, "get_attribute_dict", None)
        attrs = get() if callable(get) else getattr(block, "attributes", None)
        if not isinstance(attrs, Mapping):
            continue
        file = attrs.get("file_path_")
        if isinstance(file, str) and file and not os.path.isabs(file):
            attrs = {**attrs, "file_path_": os.path.join(base, file)}
        yield attrs


def _exists_outcome(scan: _Scan, address: str, scanned_file: str, config: Config, check_id: str) -> Outcome:
    if not scan.index.is_carrier(address):
        return NOT_APPLICABLE
    root = scan.index.root_of_resource(address, scanned_file)
    if root is None or root.carrier() != address or not _root_is_baseline(root, config):
        return NOT_APPLICABLE
    key = (root.root, config)
    verdict = scan.exists_verdicts.get(key)
    if verdict is None:
        verdict = scan.exists_verdicts[key] = evaluate_exists(root.account(), config)
    return outcome_of(verdict, config, check_id)


def _root_is_baseline(root: RootModule, config: Config) -> bool:
    return root.marker is not None or is_baseline(root.root, config)

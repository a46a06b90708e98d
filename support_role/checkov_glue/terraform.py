"""The Terraform checks' glue: one index per Checkov graph, verdicts per role and per root.

Checkov hands a Terraform check the resource's ``conf``, the scan's graph (``self.graph``) and the
entity path. The graph is indexed once (:class:`~support_role.sources.terraform.TerraformIndex`)
and every check of the scan reuses it; verdicts are kept per role and per root and configuration.
Checkov's ``terraform_json`` runner gives its checks no graph: the graph it holds is found through
:mod:`.frames`. Without any graph (``TF_SPLIT_GRAPH``) a role (or an IAM Identity Center permission set) is judged
from its own resource.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

from .._config import Config, ConfigError
from .._metadata import EXISTS, RULES_BY_ID
from .._rules import evaluate_exists, evaluate_permission_set, evaluate_role
from .._verdict import Verdict
from ..sources.terraform import (
    MARKER_TYPE,
    RootModule,
    TerraformIndex,
    module_prefix,
    permission_set_from_conf,
    role_from_conf,
)
from ..sources.terraform.tables import PERMISSION_SET_TYPE
from . import frames
from .outcomes import (
    LOG,
    NOT_APPLICABLE,
    Outcome,
    config_failure,
    log_stale_registration,
    nested_too_deeply,
    outcome_of,
    rule_of,
    scanned_file_of,
    stale_registration_failure,
)
from .settings import current_config, is_baseline

# --------------------------------------------------------------------------- registration
_EXISTS_CHECK_ID = RULES_BY_ID[EXISTS].checkov_id
PER_ROLE_RESOURCE_TYPES = ["aws_iam_role", PERMISSION_SET_TYPE]
"""The Terraform resource types the per-role checks (CKV_CISSR_2..4) run on: roles and IAM Identity
Center permission sets."""


def exists_check_resource_types(earlier_forgotten: bool) -> list[str]:
    """The Terraform resource types to register the exists check (CKV_CISSR_1) for, under the settings in force now.

    Read when Checkov loads the checks. ``[MARKER_TYPE]`` (``["terraform_data"]``) when the
    settings read and name no ``support_role_account_baseline_paths``: a root is then a baseline
    only through its marker, which carries the result. ``["*"]`` otherwise: a root named by path
    carries its result on its first role, else on its first resource of any type, and settings
    that do not read fail every root once on its carrier, whatever its type.

    ``earlier_forgotten`` says whether the check's earlier registrations in this process were
    removed (:func:`.registry.forget_check`); without that a narrower registration would sit
    beside an earlier ``*`` one (Checkov keeps both, 88997e6), so the answer is then ``["*"]``
    whatever the settings: correct results, every resource visited. What a scan does when the
    settings change after the checks were loaded: :func:`terraform_outcome`.
    """
    if not earlier_forgotten:
        LOG.warning(
            "cis-support-role: this Checkov's check registry cannot be edited "
            "(see support_role.checkov_glue.registry): %s stays registered for every resource type",
            _EXISTS_CHECK_ID,
        )
        return ["*"]
    return ["*"] if _needs_every_type(current_config()) else [MARKER_TYPE]


def _needs_every_type(config: Config | ConfigError) -> bool:
    return isinstance(config, ConfigError) or bool(config.account_baseline_paths)


def exists_may_carry(entity_type: str) -> bool:
    """Whether a resource of ``entity_type`` can carry an exists result under the settings in force.

    Read on every run (not at load time), so it follows the settings as the verdicts do. Without
    ``support_role_account_baseline_paths`` a root is a baseline only through its marker, which is
    then the carrier: only the marker's type (``terraform_data``) can carry a result. With baseline
    paths, or settings that do not read (the check then fails once per root on its carrier), a
    resource of any type may. False lets the check answer "no result" before Checkov's graph is
    indexed or the resource is looked at (issue 10: no cost where there is nothing to check).
    """
    return entity_type == MARKER_TYPE or _needs_every_type(current_config())


def _registration_stale(registered_for: tuple[str, ...], config: Config | ConfigError) -> bool:
    """Whether the exists check, registered for ``registered_for``, misses carriers under ``config``.

    True when it was registered for the marker's type alone (the settings at load read and named
    no baseline paths) and the settings now name baseline paths or do not read: a root named by
    path, or failed by unreadable settings, may carry its result on a type Checkov does not hand
    the check. Checkov reads a check's types once, when it registers, so only loading the checks
    again (another ``Runner.run`` with ``external_checks_dir``, another ``checkov`` command) mends
    it. The opposite change (``*`` registered, no paths now) loses nothing: :func:`exists_may_carry`
    answers at once on the types that cannot carry.
    """
    return "*" not in registered_for and _needs_every_type(config)


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


def terraform_outcome(
    check_id: str,
    conf: Mapping[str, object],
    graph: object,
    entity_path: str,
    frame: FrameType | None = None,
    *,
    exists_registered_for: Sequence[str] = ("*",),
) -> Outcome:
    """The result of one of our Terraform checks on one resource.

    ``graph`` is Checkov's ``self.graph``. Checkov's ``terraform_json`` runner (``.tf.json``
    files) gives its checks no graph and no address; its graph is then found above ``frame``
    (default: the caller's frame, see :mod:`.frames`), and the address is made from the entity's
    type and name. ``exists_registered_for`` is what the exists check of the same load was
    registered for (:func:`exists_check_resource_types`); when the settings in force need more
    (baseline paths named, or settings that do not read, after a load without them), every check
    logs one ERROR line per process and the exists check fails ``invalid-configuration`` on the
    baseline carriers it still sees.
    """
    try:
        return _terraform_outcome(
            check_id, conf, graph, entity_path, frame or frames.caller(), tuple(exists_registered_for)
        )
    except RecursionError:
        return nested_too_deeply(check_id, entity_path)


def _terraform_outcome(
    check_id: str,
    conf: Mapping[str, object],
    graph: object,
    entity_path: str,
    frame: FrameType | None,
    exists_registered_for: tuple[str, ...],
) -> Outcome:
    config = current_config()
    rule_id = rule_of(check_id)
    stale = _registration_stale(exists_registered_for, config)
    if stale:
        log_stale_registration(_EXISTS_CHECK_ID, exists_registered_for)
    if isinstance(config, ConfigError) and rule_id != EXISTS:
        return config_failure(config, check_id, str(conf.get("__address__") or entity_path))
    scanned_file = scanned_file_of(entity_path)
    address = conf.get("__address__")
    if not isinstance(address, str):
        parts = entity_path.rsplit(":", 2)
        if len(parts) != 3:
            return NOT_APPLICABLE
        address = f"{parts[1]}.{parts[2]}"
    scan = scan_of(graph) if graph is not None else _local_graph_scan(frame)
    if isinstance(config, ConfigError):  # the exists check fails once per root, on its carrier
        root = scan.index.root_of_resource(address, scanned_file) if scan is not None else None
        carries = root is not None and root.carrier() == address
        return config_failure(config, check_id, address) if carries else NOT_APPLICABLE
    if rule_id == EXISTS:
        if scan is None:
            return NOT_APPLICABLE  # without a graph no root module can be seen whole
        if stale:
            root = scan.index.root_of_resource(address, scanned_file)
            if root is None or root.carrier() != address or not _root_is_baseline(root, config):
                return NOT_APPLICABLE
            return stale_registration_failure(check_id, exists_registered_for, address)
        return _exists_outcome(scan, address, scanned_file, config, check_id)
    is_permission_set = address[len(module_prefix(address)) :].split(".", 1)[0] == PERMISSION_SET_TYPE
    if scan is None:
        if is_permission_set:
            alone = evaluate_permission_set(permission_set_from_conf(conf, address), config)
        else:
            alone = evaluate_role(role_from_conf(conf, address), config)
        return outcome_of(alone[rule_id], config, check_id)
    key = (address, scanned_file, config)
    verdicts = scan.role_verdicts.get(key)
    if verdicts is None and is_permission_set:
        permission_set = scan.index.permission_set(address, scanned_file) or permission_set_from_conf(conf, address)
        verdicts = scan.role_verdicts[key] = evaluate_permission_set(permission_set, config)
    elif verdicts is None:
        role = scan.index.role(address, scanned_file)
        if role is None:  # a role the graph does not hold: read what its own resource says
            why = (
                f"the role is not in Checkov's graph as a resource of {scanned_file or 'the scanned files'} "
                "(scan the folder of the root module that calls it, with checkov -d)"
            )
            role = role_from_conf(conf, address, why)
        verdicts = scan.role_verdicts[key] = evaluate_role(role, config)
    return outcome_of(verdicts[rule_id], config, check_id)


def _local_graph_scan(frame: FrameType | None) -> _Scan | None:
    """The scan of the graph a calling ``terraform_json`` runner holds (see :mod:`.frames`)."""
    found = frames.find_local_graph(frame)
    if found is None:
        return None
    return scan_of(found.graph, functools.partial(_block_attributes, found.blocks, found.root_folder))


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

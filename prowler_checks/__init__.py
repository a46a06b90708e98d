"""The support-role rules as Prowler checks (AWS provider), found through Prowler's plugin entry points.

Each check lives in ``prowler_checks/<check_id>/`` (code and ``<check_id>.metadata.json``, generated
from the core by ``python -m prowler_checks.generate``); the shared wiring is in
:mod:`prowler_checks.runtime`; the compliance framework JSON is in ``prowler_checks/compliance``.
"""

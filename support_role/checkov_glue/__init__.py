"""What the Checkov checks in ``checkov_checks/`` call: Checkov's view in, a Checkov result out.

Imports no Checkov (the check classes hand over what Checkov gave them: ``conf``, ``self.graph``,
``self.entity_path``), so everything here is testable in the base environment; the translation
of Checkov's data shapes into facts lives in :mod:`support_role.sources`, the rules in the core.

* :mod:`.terraform`: :func:`terraform_outcome`, one index per Checkov graph, verdicts cached per scan;
  :func:`exists_check_resource_types`, what the exists check registers for under the settings at
  load, and :func:`exists_may_carry`, its early "no result" (and :data:`PER_ROLE_RESOURCE_TYPES`,
  what the per-role checks register for);
* :mod:`.registry`: :func:`forget_check`, the one function that edits Checkov's check registry
  (a load of our checks replaces the earlier one);
* :mod:`.cloudformation`: :func:`cloudformation_outcome`, one index per template;
* :mod:`.outcomes`: a verdict as a Checkov result (:class:`Outcome`), UNKNOWN kept visible;
* :mod:`.settings`: the configuration (cached per file version) and the account-baseline paths;
* :mod:`.frames`: the one module that looks into Checkov's call stack, for what the
  ``terraform_json``, CloudFormation and serverless runners do not hand a check.
"""

from .cloudformation import cloudformation_outcome
from .outcomes import Outcome
from .registry import forget_check
from .terraform import PER_ROLE_RESOURCE_TYPES, exists_check_resource_types, exists_may_carry, terraform_outcome

__all__ = [
    "PER_ROLE_RESOURCE_TYPES",
    "Outcome",
    "cloudformation_outcome",
    "exists_check_resource_types",
    "exists_may_carry",
    "forget_check",
    "terraform_outcome",
]

"""Facts from Terraform as Checkov's graph shows it: HCL, ``.tf.json`` and plan JSON.

Input is the attribute mapping of every graph vertex (what ``graph.nodes()`` holds in Checkov 3:
``block_type_``, ``resource_type``, ``__address__``, ``file_path_``, ``source_module_object_`` and
the resource's own attributes, already rendered by Checkov). Nothing here imports Checkov: the
vertices are plain mappings, and ``source_module_object_`` is read by duck typing (``path`` and
``nested_tf_module`` as attributes or keys).

A **root** is one Terraform root module: the directory of an HCL/``.tf.json`` root module (with
every module it calls), or one plan JSON file. Roles, attachments and policies are matched
within their root only; IAM names are unique per account and a root module stands for (a part
of) one account, so a role in one root never satisfies or breaks another.

What is read, per role (the role's own resource carries every per-role result):

* trust: ``assume_role_policy`` as a ``jsonencode``/heredoc document (Checkov hands a mapping), a
  JSON string (plan JSON), or a reference to ``data.aws_iam_policy_document.<n>.json``;
* managed policies: ``managed_policy_arns``, ``aws_iam_role_policy_attachment``,
  ``aws_iam_policy_attachment`` (its ``roles`` list), ``aws_iam_role_policy_attachments_exclusive``;
* inline policies: ``inline_policy`` blocks, ``aws_iam_role_policy``,
  ``aws_iam_role_policies_exclusive`` (names whose document must come from the others);
* customer managed policies defined as ``aws_iam_policy`` in the same root: their document.

Roles are referenced by literal name, by ``aws_iam_role.<n>.name/.id/.arn`` (with module prefix
and index), from local modules, under ``count``/``for_each``. Whatever cannot be resolved becomes
:class:`Unknown` with the reason, never a silent omission: an attachment whose role cannot be
pinned down is reported as *maybe attached* (:class:`~support_role.MaybeAttached`) on every role
it could name, and the rules decide what that means.

The reading is split along its stages, each a module of this package:

* :mod:`.tables`: the graph's vertices per root module, by kind, address, ``type.name`` and name;
* :mod:`.references`: the resolver, from a value (a literal, an ARN, a reference Checkov left as
  text) to the roles, policies and documents of the root it names;
* :mod:`.attachments`: what each kind of attachment resource attaches to which role;
* :mod:`.permission_sets`: the IAM Identity Center permission sets (``aws_ssoadmin_*``) of a root;
* :mod:`.facts`: the :class:`~support_role.Role` and :class:`~support_role.Account` facts of each
  root, and the resource that carries the account's result (:class:`TerraformIndex` is the entry).
"""

from __future__ import annotations

from ._hcl import display_path, module_prefix, root_of
from .facts import RootModule, TerraformIndex, permission_set_from_conf, role_from_conf
from .tables import MARKER_ADDRESS, MARKER_NAME, MARKER_TYPE

__all__ = [
    "MARKER_ADDRESS",
    "MARKER_NAME",
    "MARKER_TYPE",
    "RootModule",
    "TerraformIndex",
    "display_path",
    "module_prefix",
    "permission_set_from_conf",
    "role_from_conf",
    "root_of",
]

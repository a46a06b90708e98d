"""Checkov checks of the support-role rules (CKV_CISSR_1..4), loaded with ``--external-checks-dir``.

Checkov executes every ``.py`` file of this folder (except ``__*.py``) as a top-level module named
by its file stem, once per framework run: the files hold only the check classes; what they call
is ``support_role.checkov_glue`` (caches, configuration, results), which has
``support_role.sources`` translate Checkov's data into facts.
"""

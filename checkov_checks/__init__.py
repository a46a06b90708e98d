"""Checkov checks of the support-role rules (CKV_CISSR_1..4), loaded with ``--external-checks-dir``.

Checkov executes every ``.py`` file of this folder (except ``__*.py``) as a top-level module named
by its file stem, once per framework run: the files hold only the check classes, and every
translation of Checkov's data into facts lives in ``support_role.sources``.
"""

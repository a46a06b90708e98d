"""``cis-support-role-checkov``: Checkov with the support-role checks loaded (also ``python -m checkov_checks``).

Every argument goes to Checkov. Added unless already given:

* ``--external-checks-dir <this folder>`` (always added; Checkov's loader skips this file, whose
  name starts with ``__``);
* ``-d .`` when no ``-d``/``--directory`` and no ``-f``/``--file`` is given;
* ``--skip-download`` (Checkov otherwise tries to reach its vendor's API);
* ``--check CKV_CISSR_1,...,CKV_CISSR_4`` and ``--framework terraform terraform_plan
  cloudformation serverless`` when no ``--check``/``--skip-check``/``--framework`` is given;
  ``--include-builtin-checks`` (ours, removed before Checkov sees the arguments) keeps every
  built-in check and framework as well.

The exit code is Checkov's: 1 when a check FAILED, 0 otherwise (``--soft-fail`` makes it 0).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

CHECKS_DIR = Path(__file__).resolve().parent
CHECK_IDS = ("CKV_CISSR_1", "CKV_CISSR_2", "CKV_CISSR_3", "CKV_CISSR_4")
FRAMEWORKS = ("terraform", "terraform_plan", "cloudformation", "serverless")
INCLUDE_BUILTIN = "--include-builtin-checks"


def _given(args: Sequence[str], *names: str) -> bool:
    return any(a in names or any(a.startswith(n + "=") for n in names if n.startswith("--")) for a in args)


def checkov_arguments(argv: Sequence[str]) -> list[str]:
    """The arguments Checkov is run with for the arguments given to this command."""
    args = [a for a in argv if a != INCLUDE_BUILTIN]
    builtin = len(args) != len(argv)
    extra = ["--external-checks-dir", str(CHECKS_DIR)]
    if not _given(args, "-d", "--directory", "-f", "--file"):
        extra += ["-d", "."]
    if not _given(args, "--skip-download"):
        extra.append("--skip-download")
    if not builtin and not _given(args, "-c", "--check", "--skip-check"):
        extra += ["--check", ",".join(CHECK_IDS)]
    if not builtin and not _given(args, "--framework"):
        extra += ["--framework", *FRAMEWORKS]
    return [*args, *extra]


def main(argv: Sequence[str] | None = None) -> int:
    args = checkov_arguments(sys.argv[1:] if argv is None else argv)
    from checkov.main import Checkov  # imported here: --help of this module must not need it

    sys.argv = [sys.argv[0], *args]
    result = Checkov(argv=args).run()
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())

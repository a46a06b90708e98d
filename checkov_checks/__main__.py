"""``cis-support-role-checkov``: Checkov with the support-role checks loaded (also ``python -m checkov_checks``).

Checkov takes its options from the command line, from environment variables (``CKV_CHECK``,
``CKV_SKIP_CHECK``, ``CKV_FRAMEWORK``...), from a ``--config-file`` and from the ``.checkov.yaml``
/ ``.checkov.yml`` it finds beside a ``-d`` folder, in the working directory and in the home
directory. This command lets Checkov's own parser (``checkov.main.Checkov``, unchanged) read all
of them, and then fills in, on the parsed options, only what the user chose nowhere:

* our checks folder is added to ``--external-checks-dir`` (beside any folder the user gave);
* ``-d .`` when no ``-d``, ``-f`` or ``--docker-image`` is given;
* ``--skip-download`` (Checkov otherwise tries to reach its vendor's API);
* ``--check`` with our check IDs (those of :data:`support_role.RULES`), less any the user skips by
  ID, when no ``--check`` is given;
* ``--framework`` with the frameworks our checks serve, less any in ``--skip-framework``, when no
  ``--framework`` is given.

``--include-builtin-checks`` (ours; removed before Checkov sees the arguments) leaves ``--check``
and ``--framework`` alone, so every built-in check runs as well. ``--list`` also lists our checks
(Checkov lists before it loads external checks). The reports are printed with our reason in every
output format that has a place for it (``checkov_checks/__outputs.py``). The exit code is
Checkov's: 1 when a check FAILED, 0 otherwise (``--soft-fail`` makes it 0), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from support_role import RULES

from . import __outputs as outputs  # a "__" name: Checkov's loader does not run it as a check module

if TYPE_CHECKING:
    from checkov.common.output.baseline import Baseline
    from checkov.common.runners.runner_registry import RunnerRegistry

CHECKS_DIR = Path(__file__).resolve().parent
CHECK_IDS: tuple[str, ...] = tuple(rule.checkov_id for rule in RULES)
# The Checkov frameworks whose runners hand resources to our checks: the Terraform registry
# (HCL, plan JSON) and the CloudFormation registry (templates, serverless). ``terraform_json`` is
# left to the user (see docs/checkov.md).
FRAMEWORKS = ("terraform", "terraform_plan", "cloudformation", "serverless")
CHECK_MODULES = ("cis_support_role_terraform", "cis_support_role_cloudformation")
INCLUDE_BUILTIN = "--include-builtin-checks"

HELP = f"""\
cis-support-role-checkov: Checkov with the CIS support-role checks ({", ".join(CHECK_IDS)}).

Every option is Checkov's (below) and is read as Checkov reads it: command line, environment
variables, --config-file, .checkov.yaml/.checkov.yml. Only what you chose nowhere is added:
our checks folder to --external-checks-dir, -d . (no -d/-f/--docker-image), --skip-download,
--check {",".join(CHECK_IDS)} (less the IDs you --skip-check; no --check given) and
--framework {" ".join(FRAMEWORKS)} (less --skip-framework; no --framework given).

Option of this command:
  {INCLUDE_BUILTIN}
                        run Checkov's built-in checks and frameworks as well (do not add
                        --check and --framework)

--list lists our checks with Checkov's; --show-config also prints what this command added.
"""


class UsageError(Exception):
    """The options ask for something this command cannot do (Checkov reports it as a usage error)."""


def _flat(values: Iterable[object] | None) -> list[str]:
    """Checkov's list options as one flat list: repeated, nested (``nargs='+'``) and comma-separated."""
    out: list[str] = []
    for value in values or ():
        items: Iterable[object] = value if isinstance(value, list | tuple) else (value,)
        for item in items:
            out.extend(part.strip() for part in str(item).split(",") if part.strip())
    return out


def complete(config: argparse.Namespace, *, include_builtin: bool = False) -> list[str]:
    """Fill in, on Checkov's parsed and not yet normalised options, what the user did not choose.

    ``config`` is the namespace Checkov's parser gives (command line, environment and config
    files already merged); it is changed in place. Returns what was added, written as the
    equivalent command-line options (for ``--show-config`` and the debug log). Raises
    :class:`UsageError` when every check of ours is skipped by ID and no built-in check may run.
    """
    added: list[str] = []
    ours = str(CHECKS_DIR)
    given_dirs = list(config.external_checks_dir or [])
    if not any(os.path.realpath(os.path.expanduser(d)) == os.path.realpath(ours) for d in given_dirs):
        config.external_checks_dir = [*given_dirs, ours]
        added += ["--external-checks-dir", ours]
    if not (config.directory or config.file or config.docker_image):
        config.directory = ["."]
        added += ["-d", "."]
    if not config.skip_download:
        config.skip_download = True
        added.append("--skip-download")
    if include_builtin:
        return added
    if config.check is None:
        # Checkov refuses an ID given to both --check and --skip-check, so an ID the user skips
        # is left out here; wildcards and severities in --skip-check are Checkov's to apply.
        skipped = set(_flat(config.skip_check))
        checks = [check_id for check_id in CHECK_IDS if check_id not in skipped]
        if not checks:
            raise UsageError(
                f"every support-role check ({', '.join(CHECK_IDS)}) is skipped, so there is nothing to run; "
                f"remove them from --skip-check or add {INCLUDE_BUILTIN}"
            )
        config.check = [",".join(checks)]
        added += ["--check", ",".join(checks)]
    if config.framework is None:
        skipped_frameworks = set(_flat(config.skip_framework))
        frameworks = [f for f in FRAMEWORKS if f not in skipped_frameworks]
        if frameworks:
            config.framework = [frameworks]
            added += ["--framework", *frameworks]
    return added


def register_checks() -> None:
    """Register our checks with Checkov's registries in this process (for ``--list``)."""
    import importlib

    for module in CHECK_MODULES:
        importlib.import_module(f"{__package__ or 'checkov_checks'}.{module}")


class _Command(Protocol):
    config: argparse.Namespace
    added: list[str]

    def run(self) -> int | None: ...


def _checkov_class() -> Callable[[list[str], bool], _Command]:
    from checkov.main import Checkov as CheckovMain

    class SupportRoleCheckov(CheckovMain):
        """Checkov whose parsed options are completed with ours before Checkov normalises them."""

        def __init__(self, argv: list[str], include_builtin: bool) -> None:
            self.include_builtin = include_builtin
            self.added: list[str] = []
            super().__init__(argv=argv)  # parses, then calls normalize_config

        def normalize_config(self) -> None:
            try:
                self.added = complete(self.config, include_builtin=self.include_builtin)
            except UsageError as error:
                self.parser.error(str(error))
            if self.config.list:
                register_checks()
            super().normalize_config()

        def print_results(
            self,
            runner_registry: RunnerRegistry,
            url: str | None = None,
            created_baseline_path: str | None = None,
            baseline: Baseline | None = None,
        ) -> Literal[0, 1]:
            outputs.fill_details(self.scan_reports)
            with outputs.reasons_in_writers():
                return super().print_results(runner_registry, url, created_baseline_path, baseline)

    return SupportRoleCheckov


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    include_builtin = INCLUDE_BUILTIN in given
    args = [a for a in given if a != INCLUDE_BUILTIN]
    if "-h" in args or "--help" in args:
        print(HELP)  # Checkov's own help follows
    # Checkov looks for .checkov.yaml beside a -d folder named in sys.argv, not in its argv.
    sys.argv = [sys.argv[0], *args]
    checkov = _checkov_class()(list(args), include_builtin)
    result = checkov.run()
    if checkov.config.show_config:
        print(f"Added by cis-support-role-checkov:\n  {' '.join(checkov.added) or '(nothing)'}")
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())

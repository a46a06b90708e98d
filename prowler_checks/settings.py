"""Where the Prowler checks take their settings from: Prowler's ``--config-file``, else the environment.

Prowler hands every check its audit config: the ``aws:`` section of ``--config-file``, or of Prowler's
packaged default file when none is given (Prowler App never gives one). Our ``support_role_*`` keys
may sit there; Prowler App and CI runners can only pass them through the environment, as Checkov
users do: ``$CIS_SUPPORT_ROLE_CONFIG`` (a file) or ``$CIS_SUPPORT_ROLE_CONFIG_INLINE`` (the settings
themselves, YAML or JSON), read by the core (:func:`support_role.config_from_environment`).

Precedence (docs/DECISIONS.md, "Settings from the environment in Prowler"): when the audit config
holds any ``support_role_*`` key, it is the configuration (the command line is more specific than
the environment) and a variable that says something else is reported in a warning, never merged key
by key. Otherwise the environment gives it; else the defaults. Whatever is set must be valid: a
broken variable is refused even when the file wins, so a mistake never waits silently for the day
the file loses its keys.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from support_role import Config, ConfigError, config_from_environment, config_from_mapping, environment_source
from support_role._config import PREFIX

CONFIG_FILE_SOURCE = "Prowler's --config-file (aws: section)"
DEFAULTS_SOURCE = "the defaults"


@dataclass(frozen=True)
class Settings:
    """The configuration in force, where it came from, and a warning to log (or None)."""

    config: Config
    source: str
    warning: str | None = None


def resolve(audit_config: Mapping[str, object], environ: Mapping[str, str] | None = None) -> Settings:
    """The settings for a scan whose Prowler audit config is ``audit_config``.

    Raises :class:`ConfigError` whose message starts with the source that holds the bad value
    (``Prowler's --config-file (aws: section): ...``, ``$CIS_SUPPORT_ROLE_CONFIG_INLINE: ...``, or
    ``$CIS_SUPPORT_ROLE_CONFIG: ...``).
    """
    env = os.environ if environ is None else environ
    from_environment: Config | None = None
    variable = environment_source(env)
    if variable is not None:
        from_environment = config_from_environment(env)  # its errors start with the variable's name
    if any(isinstance(key, str) and key.startswith(PREFIX) for key in audit_config):
        try:
            from_file = config_from_mapping(audit_config)
        except ConfigError as error:
            raise ConfigError(f"{CONFIG_FILE_SOURCE}: {error}") from None
        warning = None
        if from_environment is not None and from_environment != from_file:
            warning = (
                f"{variable} is set but {CONFIG_FILE_SOURCE} holds support_role_* keys, which take precedence; "
                f"the settings of {variable} are not used"
            )
        return Settings(from_file, CONFIG_FILE_SOURCE, warning)
    if from_environment is not None and variable is not None:
        return Settings(from_environment, variable)
    return Settings(Config(), DEFAULTS_SOURCE)

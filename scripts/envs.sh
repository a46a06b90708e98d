# Sourced by scripts/test and scripts/demo: creates (once) the three virtual environments.
# Checkov and Prowler pin different boto3 releases, so each scanner gets its own environment;
# the base one holds the core's test tools. Re-created when a requirements file changes. They are
# built with uv (requirements/tools.txt, in .venvs/tools) and fall back to pip where uv is missing.
set -euo pipefail
# ensure_env runs inside $(...): without this a failed pip install there would go unnoticed and
# the environment would be stamped as built.
shopt -s inherit_errexit
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="${CIS_SUPPORT_ROLE_VENVS:-$ROOT/.venvs}"
PYTHON="${PYTHON:-python3}"

say() { printf '==> %s\n' "$*" >&2; }

# Python caches the bytecode of what it imports (__pycache__, ignored by git). uv installs the
# environments without it, and a machine image may set PYTHONDONTWRITEBYTECODE (ours does): then
# every process compiled Checkov or Prowler from source again, 2.5 CPU seconds per Checkov import and
# 7 per Prowler import. Measured on this machine kind, the same commit, the stages in a row: tests/core
# 118 -> 101 s, tests/checkov 224 -> 143 s, tests/prowler 149 -> 131 s (docs/robustness.md, Figures).
unset PYTHONDONTWRITEBYTECODE

ensure_installer() {  # sets UV to a uv executable (in $VENVS/tools), or to "" to install with pip
  UV=""
  if [ "${CIS_SUPPORT_ROLE_INSTALLER:-uv}" = pip ]; then
    return 0
  fi
  local dir="$VENVS/tools" stamp
  stamp="$(sha256sum < "$ROOT/requirements/tools.txt" | cut -c1-16)"
  if [ ! -x "$dir/bin/uv" ] || [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$dir"
    if ! { "$PYTHON" -m venv "$dir" &&
      "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements/tools.txt" >&2; }; then
      say "uv could not be installed: building the environments with pip (slower)"
      rm -rf "$dir"
      return 0
    fi
    echo "$stamp" > "$dir/.stamp"
  fi
  UV="$dir/bin/uv"
}

install_into() {  # install_into DIR NAME EXTRA: the requirements and this checkout (editable) into DIR
  local dir="$1" name="$2" extra="$3"
  if [ -n "${UV:-}" ]; then
    # pip too: tests and users run `python -m pip` in these environments.
    if "$UV" pip install --quiet --python "$dir/bin/python" \
      pip -r "$ROOT/requirements/$name.txt" -e "$ROOT$extra" >&2; then
      return 0
    fi
    say "uv failed to install the $name environment: trying again with pip"
  fi
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$ROOT/requirements/$name.txt" -e "$ROOT$extra" >&2
}

env_stamp() {  # env_stamp NAME -> what the environment NAME was built from
  cat "$ROOT/requirements/$1.txt" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16
}

env_is_built() {  # env_is_built NAME: true when .venvs/NAME exists and is stamped as built from today's files
  [ -x "$VENVS/$1/bin/python" ] && [ "$(cat "$VENVS/$1/.stamp" 2>/dev/null)" = "$(env_stamp "$1")" ]
}

ensure_env() {  # ensure_env NAME EXTRA -> prints the env's bin dir
  local name="$1" extra="$2" dir="$VENVS/$1"
  local stamp
  stamp="$(env_stamp "$name")"
  if ! env_is_built "$name"; then
    say "creating the $name environment in $dir"
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir"
    install_into "$dir" "$name" "$extra"
    echo "$stamp" > "$dir/.stamp"
  fi
  echo "$dir/bin"
}

ensure_all_envs() {
  mkdir -p "$VENVS"
  VENVS="$(cd "$VENVS" && pwd)"  # absolute: the paths exported below are used from other folders
  # One creator at a time: parallel runs would delete each other's half-built environment.
  exec 9>"$VENVS/.lock"
  flock 9
  # The installer only when an environment is to be built: built environments need no network.
  UV=""
  if ! env_is_built base || ! env_is_built checkov || ! env_is_built prowler; then
    ensure_installer
  elif [ -x "$VENVS/tools/bin/uv" ] && [ "${CIS_SUPPORT_ROLE_INSTALLER:-uv}" != pip ]; then
    UV="$VENVS/tools/bin/uv"
  fi
  BASE_BIN="$(ensure_env base '[dev]')"
  CHECKOV_BIN="$(ensure_env checkov '[checkov]')"
  PROWLER_BIN="$(ensure_env prowler '[prowler]')"
  export BASE_BIN CHECKOV_BIN PROWLER_BIN
  # Tests in one environment find the others' tools through these.
  export CIS_SUPPORT_ROLE_CHECKOV="$CHECKOV_BIN/checkov"
  export CIS_SUPPORT_ROLE_PROWLER="$PROWLER_BIN/prowler"
  export CIS_SUPPORT_ROLE_PROWLER_PYTHON="$PROWLER_BIN/python"
  export CIS_SUPPORT_ROLE_CHECKOV_PYTHON="$CHECKOV_BIN/python"
  # uv, where it is installed and chosen, else "" (tests/core/test_packaging.py installs with it)
  export CIS_SUPPORT_ROLE_UV="$UV"
  flock -u 9
}

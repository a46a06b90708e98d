"""The package as a user installs it: an sdist and a wheel built with ``python -m build`` (no setuptools
deprecation warning), checked by ``twine check --strict``, and the wheel installed into a fresh virtualenv
with Checkov and into another with Prowler, where ``python -m support_role doctor`` must pass.

Slow (two virtualenvs, one scanner each); it needs the package index (CI has it). The versions are
those of the scanner's test environment (given as pip constraints), so the proof is about the same
Checkov and Prowler the other tests use. Where ``scripts/envs.sh`` installed uv (``$CIS_SUPPORT_ROLE_UV``),
uv first installs the wheel with its extra into the new virtualenv, resolving only what the wheel
declares, at those versions; pip then installs the same, so pip still reads the wheel's metadata and
checks every requirement of the extra. pip alone took 605 s for Prowler's 280 packages on a loaded
machine (uv: seconds).
Set ``CIS_SUPPORT_ROLE_WHEEL_TRANSCRIPT`` to a file path to keep the transcript of every command.

One build at a time: ``python -m build`` writes ``*.egg-info`` into the source tree, and two builds at
once (two pytest-xdist workers) break each other. The tests share the module-scoped ``built``, so
``--dist loadgroup`` keeps them on one worker (tests/conftest.py); do not give them groups of their own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest

import support_role

ROOT = Path(__file__).resolve().parents[2]
VENVS = Path(os.environ.get("CIS_SUPPORT_ROLE_VENVS", ROOT / ".venvs"))
TRANSCRIPT_ENV = "CIS_SUPPORT_ROLE_WHEEL_TRANSCRIPT"


class Transcript:
    """Every command run, its exit code and its output, in order (kept on failure and on request)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.write_text("", encoding="utf-8")
        self.last_output = ""
        self.last_code = 0

    def run(
        self,
        argv: list[str],
        *,
        cwd: Path,
        env: dict[str, str] | None = None,
        timeout: float = 3600,
        must_pass: bool = True,
    ) -> str:
        """Runs ``argv``; its standard output (the transcript also keeps standard error). Asserts exit
        code 0 unless ``must_pass`` is False (then ``last_code`` says how it ended)."""
        started = time.monotonic()
        done = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
        output = done.stdout + done.stderr
        with self.path.open("a", encoding="utf-8") as out:
            elapsed = time.monotonic() - started
            out.write(f"$ {' '.join(argv)}\n{output.rstrip()}\n[exit code {done.returncode}, {elapsed:.0f} s]\n\n")
        self.last_code = done.returncode
        assert done.returncode == 0 or not must_pass, (
            f"{argv} exited {done.returncode}; transcript: {self.path}\n{output[-4000:]}"
        )
        self.last_output = output
        return done.stdout


def _clean_env(bin_dir: Path) -> dict[str, str]:
    """Only the new virtualenv on PATH and none of our variables: the doctor must find what the user has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIS_SUPPORT_ROLE_") and k != "PYTHONPATH"}
    env["PATH"] = os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"])
    env.pop("VIRTUAL_ENV", None)
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Transcript, Path, Path]:
    work = tmp_path_factory.mktemp("packaging")
    kept = os.environ.get(TRANSCRIPT_ENV)
    transcript = Transcript(Path(kept) if kept else work / "transcript.txt")
    dist = work / "dist"
    transcript.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(ROOT)], cwd=work)
    # setuptools warns (SetuptoolsDeprecationWarning) on a table-form licence or a licence classifier
    assert "deprecat" not in transcript.last_output.lower(), transcript.last_output
    transcript.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))], cwd=work)
    (wheel,) = dist.glob("*.whl")
    return transcript, work, wheel


@pytest.mark.slow
def test_the_wheel_says_its_version_and_its_licence(built: tuple[Transcript, Path, Path]) -> None:
    _, work, wheel = built
    version = support_role.__version__
    assert wheel.name == f"cis_support_role-{version}-py3-none-any.whl"
    assert (work / "dist" / f"cis_support_role-{version}.tar.gz").is_file()
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = Parser().parsestr(archive.read(f"cis_support_role-{version}.dist-info/METADATA").decode())
        entry_points = archive.read(f"cis_support_role-{version}.dist-info/entry_points.txt").decode()
    assert metadata["Version"] == version
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["License"] is None  # the deprecated free-text field is not written
    assert f"cis_support_role-{version}.dist-info/licenses/LICENSE" in names
    assert "[prowler.checks.aws]" in entry_points and "[prowler.compliance]" in entry_points
    assert "support_role/py.typed" in names


def _constraints(scanner: str, work: Path) -> Path:
    """The versions the scanner's test environment has (``pip freeze`` of ``.venvs/<scanner>``), else
    ``requirements/<scanner>.txt``, as pip constraints: the same Checkov or Prowler the other tests use,
    and exact pins spare pip's resolver the backtracking that Prowler's dependency tree costs."""
    path = work / f"constraints-{scanner}.txt"
    python = os.environ.get(f"CIS_SUPPORT_ROLE_{scanner.upper()}_PYTHON") or str(VENVS / scanner / "bin" / "python")
    frozen = subprocess.run(
        [python, "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        timeout=300,
    ) if Path(python).is_file() else None  # fmt: skip
    if frozen is not None and frozen.returncode == 0 and frozen.stdout.strip():
        lines = frozen.stdout.splitlines()
    else:
        lines = (ROOT / "requirements" / f"{scanner}.txt").read_text(encoding="utf-8").splitlines()
    # constraints take neither extras (moto[server] -> moto) nor editable or URL forms
    pins = [re.sub(r"\[[^\]]*\]", "", line.split("#", 1)[0]).strip() for line in lines]
    path.write_text("".join(f"{pin}\n" for pin in pins if pin and "==" in pin and " @ " not in pin), encoding="utf-8")
    return path


def _install_and_doctor(built: tuple[Transcript, Path, Path], scanner: str, extra: list[str]) -> dict[str, Any]:
    transcript, work, wheel = built
    venv = work / f"venv-{scanner}"
    shutil.rmtree(venv, ignore_errors=True)
    transcript.run([sys.executable, "-m", "venv", str(venv)], cwd=work)
    python = venv / "bin" / "python"
    env = _clean_env(venv / "bin")
    constraints = _constraints(scanner, work)
    wanted = [f"{wheel}[{scanner}]", *extra]
    # uv installs what the wheel and its extra declare (nothing else: a requirement missing from the
    # wheel stays missing), at the pinned versions; then pip installs the same, so pip reads the
    # wheel's metadata and checks each requirement. Where uv fails (a mirror only pip is configured
    # for), pip does it all. scripts/envs.sh exports the uv it installed, "" where it used pip only.
    uv = os.environ["CIS_SUPPORT_ROLE_UV"] if "CIS_SUPPORT_ROLE_UV" in os.environ else shutil.which("uv")
    if uv:
        uv_install = [uv, "pip", "install", "--python", str(python), "-c", str(constraints), *wanted]
        transcript.run(uv_install, cwd=work, env=env, must_pass=False)
    transcript.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off",
         "-c", str(constraints), *wanted],
        cwd=work, env=env,
    )  # fmt: skip
    # the installed copy, not the repository's: the doctor runs from a folder outside the clone
    where = transcript.run([str(python), "-c", "import support_role; print(support_role.__file__)"], cwd=work, env=env)
    assert Path(where.strip()).is_relative_to(venv), where
    other = "prowler" if scanner == "checkov" else "checkov"
    # the text report too, without a second scan of the canary account on moto (the JSON run scans it)
    transcript.run([str(python), "-m", "support_role", "doctor", "--skip", other, "--skip", "moto"], cwd=work, env=env)
    report: dict[str, Any] = json.loads(
        transcript.run([str(python), "-m", "support_role", "doctor", "--skip", other, "--json"], cwd=work, env=env)
    )
    return report


@pytest.mark.slow
def test_the_wheel_installed_with_checkov_passes_the_doctor(built: tuple[Transcript, Path, Path]) -> None:
    report = _install_and_doctor(built, "checkov", [])
    assert report["ok"] is True
    steps = {s["name"]: s["status"] for s in report["steps"]}
    assert steps["checkov"] == "ok" and steps["checkov scan of the canary"] == "ok"
    rows = [r for r in report["checks"] if r["scanner"] == "checkov"]
    assert {r["check_id"] for r in rows} == {r.checkov_id for r in support_role.RULES}
    assert {r["where"] for r in rows} == {"terraform", "cloudformation"}
    assert all(r["loaded"] and r["ok"] and r["matched"] == r["expected"] > 0 for r in rows)


@pytest.mark.slow
def test_the_wheel_installed_with_prowler_passes_the_doctor(built: tuple[Transcript, Path, Path]) -> None:
    # moto's server beside it so that the doctor also scans its canary account with the real Prowler
    report = _install_and_doctor(built, "prowler", ["moto[server]"])
    assert report["ok"] is True
    steps = {s["name"]: s["status"] for s in report["steps"]}
    assert steps["prowler aws --list-checks"] == "ok"
    assert steps["prowler scan of the canary account (moto)"] == "ok"
    rows = [r for r in report["checks"] if r["scanner"] == "prowler"]
    assert {r["check_id"] for r in rows} == {r.prowler_id for r in support_role.RULES}
    assert all(r["loaded"] and r["ok"] and r["matched"] == r["expected"] > 0 for r in rows)
    assert report["prowler_listed"] == {r.prowler_id: True for r in support_role.RULES}

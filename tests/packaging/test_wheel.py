"""The wheel carries the schemas and works on its own: built, installed into a fresh venv, run.

Built here, the wheel compiles the checking engine with mypyc (hatch_build.py); it must give
exactly what the source tree gives. `AGENTLS_WHEEL` names a wheel built already (scripts/test.sh
builds one for the compiled run of the suite), so that it is not compiled twice.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentls import references
from helpers import CORPUS, EXAMPLES, REPO

sys.path.insert(0, str(REPO))
from hatch_build import COMPILED, GROUP  # the build hook, at the repository root

SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")


def build_wheel(dist: Path, **env: str) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(REPO)],
        check=True,
        env={**os.environ, **env},
    )
    wheels = list(dist.glob("agentls-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("AGENTLS_WHEEL")
    if given:
        return Path(given)
    return build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with the wheel and its dependencies."""
    target = tmp_path_factory.mktemp("venv")
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    yield target


def check_json(command: list[str], folder: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "check", "--format", "json", "--no-user-agents", str(folder)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_wheel_installs_into_a_fresh_venv_with_its_schemas(installed: Path, tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    found = subprocess.run(
        [str(python), "-c", "from agentls.catalog import schema_dir; print(schema_dir())"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    schemas = Path(found)
    assert schemas.is_relative_to(installed), f"schemas found outside the venv: {schemas}"
    assert (schemas / "claude-code.agent.schema.json").is_file()
    assert (schemas / "tools" / "claude-code.tools.json").is_file()

    workspace = tmp_path / "examples"
    shutil.copytree(EXAMPLES, workspace)
    result = check_json([str(installed / "bin" / "agentls")], workspace, tmp_path)
    findings = json.loads(result.stdout)
    has_errors = any(item["severity"] == "error" for item in findings)
    assert result.returncode == (1 if has_errors else 0), result.stderr
    codes = {item["code"] for item in findings}
    assert "no-frontmatter" in codes
    assert "yaml-repaired" in codes


def test_the_wheel_runs_the_engine_compiled_beside_its_source(wheel: Path, installed: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in COMPILED:
        assert f"agentls/{module}{SUFFIX}" in names
        assert f"agentls/{module}.py" in names  # what runs where the compiled file does not load
    assert f"{GROUP}__mypyc{SUFFIX}" in names
    assert "-none-any" not in wheel.name  # tagged for the interpreter it was compiled for

    python = installed / "bin" / "python"
    modules = ", ".join(f"agentls.{module}" for module in COMPILED)
    loaded = subprocess.run(
        [str(python), "-c", f"import {modules}; print(*[m.__file__ for m in ({modules},)], sep='\\n')"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert len(loaded) == len(COMPILED)
    assert all(path.endswith(SUFFIX) for path in loaded), loaded


@pytest.mark.parametrize("folder", [EXAMPLES, CORPUS], ids=["examples", "corpus"])
def test_the_compiled_engine_reports_what_the_source_does(installed: Path, folder: Path) -> None:
    assert Path(references.__file__).suffix == ".py", "the suite runs from the source here"
    source = check_json([sys.executable, "-m", "agentls"], folder, REPO)
    compiled = check_json([str(installed / "bin" / "agentls")], folder, REPO)
    assert compiled.returncode == source.returncode, compiled.stderr
    assert compiled.stdout == source.stdout
    assert len(json.loads(source.stdout)) > 10


def test_a_pure_python_wheel_is_built_on_request(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, AGENTLS_PURE_PYTHON="1")
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "agentls/references.py" in names
    assert not [name for name in names if name.endswith((".so", ".pyd"))]

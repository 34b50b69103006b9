"""The wheel carries the schemas and works on its own: built, installed into a fresh venv, run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from helpers import EXAMPLES, REPO


def test_wheel_installs_into_a_fresh_venv_with_its_schemas(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(REPO)],
        check=True,
    )
    wheels = list(dist.glob("agentls-*.whl"))
    assert len(wheels) == 1
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheels[0])], check=True)

    found = subprocess.run(
        [str(python), "-c", "from agentls.catalog import schema_dir; print(schema_dir())"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    schemas = Path(found)
    assert schemas.is_relative_to(target), f"schemas found outside the venv: {schemas}"
    assert (schemas / "claude-code.agent.schema.json").is_file()
    assert (schemas / "tools" / "claude-code.tools.json").is_file()

    workspace = tmp_path / "examples"
    shutil.copytree(EXAMPLES, workspace)
    result = subprocess.run(
        [str(target / "bin" / "agentls"), "check", "--format", "json", "--no-user-agents", str(workspace)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    findings = json.loads(result.stdout)
    has_errors = any(item["severity"] == "error" for item in findings)
    assert result.returncode == (1 if has_errors else 0), result.stderr
    codes = {item["code"] for item in findings}
    assert "no-frontmatter" in codes
    assert "yaml-repaired" in codes

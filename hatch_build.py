"""Wheel build hook: compiles the checking engine with mypyc, or leaves it pure Python.

The modules in `COMPILED` are compiled from the same annotated source the tests check (the
`.py` files stay in the wheel beside them): `agentls check` then does the same work in about
two thirds of the time. A compiled module only loads where its file name matches the running
interpreter (CPython, its version and platform); anywhere else Python imports the `.py` file
next to it, so the wheel works everywhere and is fast where it was built for.

Compiling needs a C compiler and Python's headers. Where that fails, the hook says why and
the wheel is pure Python; `AGENTLS_PURE_PYTHON=1` asks for that up front (a wheel for every
platform and interpreter). Editable installs are never compiled: there the source is what runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# The engine of `agentls check` (and of the server's analysis): parsing, reference scanning,
# the rules, ranking and the index. Not the CLI, the walk or the server, which wait on the
# system or the client, and whose tests replace module attributes (compiled code would not see
# the replacement).
COMPILED = (
    "checks",
    "document",
    "findings",
    "references",
    "rules_agents",
    "rules_common",
    "rules_schema",
    "rules_tools",
    "suggest",
    "text",
    "workspace",
    "yamltree",
)
# The name of the library that holds the compiled modules' code (`agentls_engine__mypyc`, a
# top-level module beside `agentls`: mypyc's C for a dotted name inside the package, split in
# several files, does not build).
GROUP = "agentls_engine"


class MypycBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        if os.environ.get("AGENTLS_PURE_PYTHON", "") not in ("", "0"):
            self.app.display_info("agentls: AGENTLS_PURE_PYTHON is set, building a pure Python wheel")
            return
        work = Path(tempfile.mkdtemp(prefix="agentls-mypyc-"))
        try:
            built = self._compile(work)
        except Exception as error:  # a missing compiler or header: the wheel still works
            self.app.display_warning(
                f"agentls: compiling with mypyc failed ({type(error).__name__}: {error}); "
                "building a pure Python wheel, which does the same work more slowly"
            )
            shutil.rmtree(work, ignore_errors=True)
            return
        self._work = work
        for path, target in built:
            build_data["force_include"][str(path)] = target
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)

    def _compile(self, work: Path) -> list[tuple[Path, str]]:
        """Compile `COMPILED` under `work`; (built file, its path in the wheel) for each."""
        from mypyc.build import mypycify
        from setuptools import Distribution
        from setuptools.command.build_ext import build_ext

        root = Path(self.root)
        sources = [f"server/agentls/{name}.py" for name in COMPILED]
        here = Path.cwd()
        os.chdir(root)  # mypy names the modules from the paths, relative to the project
        try:
            extensions = mypycify(
                # The build environment has none of agentls' dependencies or their stubs: what
                # they type is Any, which compiles to the same generic operations Python does.
                [
                    "--config-file",
                    str(root / "hatch_build_mypy.ini"),
                    "--cache-dir",
                    str(work / "mypy-cache"),
                    *sources,
                ],
                target_dir=str(work / "c"),
                group_name=GROUP,
                multi_file=True,  # smaller C files: ~50 s to build instead of ~70
            )
            distribution = Distribution({"name": "agentls", "ext_modules": extensions})
            command = build_ext(distribution)
            command.build_lib = str(work / "lib")
            command.build_temp = str(work / "temp")
            command.parallel = os.cpu_count() or 1
            command.ensure_finalized()
            command.run()
        finally:
            os.chdir(here)
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        built: list[tuple[Path, str]] = []
        for module in (*(f"agentls.{name}" for name in COMPILED), f"{GROUP}__mypyc"):
            relative = module.replace(".", "/") + suffix
            path = work / "lib" / relative
            if not path.is_file():
                raise FileNotFoundError(f"mypyc built no {relative} for Python {sys.version.split()[0]}")
            built.append((path, relative))
        return built

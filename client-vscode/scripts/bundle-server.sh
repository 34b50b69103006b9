#!/bin/sh
# Installs the agentls server and its dependencies into bundled/libs, which the extension puts on
# PYTHONPATH, so users need only a Python interpreter. PYTHON picks the interpreter that installs
# them; dependencies with compiled parts (PyYAML's speedups, rpds-py) are built for that Python, and
# so is agentls' engine (mypyc, see hatch_build.py; its source stays beside it for other Pythons).
set -eu
cd "$(dirname "$0")/.."
repo_root="$(cd .. && pwd)"
python="${PYTHON:-python3}"
rm -rf bundled/libs
"$python" -m pip install --quiet --disable-pip-version-check --no-compile --target bundled/libs "$repo_root"
# pip leaves console scripts in bundled/libs/bin; the extension runs `python -m agentls` instead.
rm -rf bundled/libs/bin
"$python" -c 'import sys; sys.path.insert(0, "bundled/libs"); import agentls' \
    || { echo "bundle-server: the bundled agentls does not import" >&2; exit 1; }
echo "bundle-server: agentls bundled in bundled/libs with $("$python" --version 2>&1)"

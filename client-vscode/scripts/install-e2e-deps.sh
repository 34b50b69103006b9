#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, from Debian and npm only: a real VS Code
# workbench (the npm package code-server, which carries it), Debian's chromium to load it, and the
# build tools code-server's native modules compile with. Safe to run again: each step checks first.
#
# code-server is installed outside the work tree (AGENTLS_E2E_HOME, default ~/.cache/agentls-e2e) so
# that fresh clones on the same machine reuse it; e2e.sh looks for it in the same place.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
# The @vscode/ripgrep release that code-server 4.100.3 depends on, and the ripgrep build it downloads.
RIPGREP_PACKAGE_VERSION="1.15.11"
RIPGREP_ASSET="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
E2E_HOME="${AGENTLS_E2E_HOME:-$HOME/.cache/agentls-e2e}"
CODE_SERVER_DIR="$E2E_HOME/code-server-$CODE_SERVER_VERSION"

log() { printf 'install-e2e-deps: %s\n' "$*" >&2; }

apt_packages=(build-essential pkg-config libkrb5-dev ripgrep chromium)
missing=()
for package in "${apt_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Read from package.json: running `code-server --version` the first time writes a config file into
# ~/.config and prints that before the version.
installed_version() {
    node -p "require('$CODE_SERVER_DIR/node_modules/code-server/package.json').version" 2>/dev/null
}

if [[ "$(installed_version || true)" == "$CODE_SERVER_VERSION" ]]; then
    log "code-server $CODE_SERVER_VERSION already in $CODE_SERVER_DIR"
    exit 0
fi

# @vscode/ripgrep's install step downloads rg from GitHub unless it finds this cached tarball;
# Debian's rg stands in for it.
tmp_root="$(node -p 'require("os").tmpdir()')"
ripgrep_cache="$tmp_root/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION"
if [[ ! -s "$ripgrep_cache/$RIPGREP_ASSET" ]]; then
    mkdir -p "$ripgrep_cache"
    tar czf "$ripgrep_cache/$RIPGREP_ASSET" -C "$(dirname "$(command -v rg)")" rg
fi

log "installing code-server $CODE_SERVER_VERSION into $CODE_SERVER_DIR (about a minute)"
mkdir -p "$CODE_SERVER_DIR"
[[ -f "$CODE_SERVER_DIR/package.json" ]] || printf '{"private": true}\n' >"$CODE_SERVER_DIR/package.json"
# unsafe_perm: its install script refuses to run as root otherwise; yes: node-pty runs `npx node-gyp`.
(
    cd "$CODE_SERVER_DIR"
    npm_config_unsafe_perm=true npm_config_yes=true \
        npm install --no-audit --no-fund --foreground-scripts --loglevel=error \
        "code-server@$CODE_SERVER_VERSION" >"$CODE_SERVER_DIR/install.log" 2>&1 || {
        tail -n 40 "$CODE_SERVER_DIR/install.log" >&2
        exit 1
    }
)
if [[ "$(installed_version || true)" != "$CODE_SERVER_VERSION" ]]; then
    log "code-server did not install; see $CODE_SERVER_DIR/install.log"
    exit 1
fi
log "code-server $(installed_version) ready"

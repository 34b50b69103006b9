#!/usr/bin/env bash
# Packages the extension (server bundled in) and runs the end-to-end test against it in a real
# VS Code. Needs scripts/install-e2e-deps.sh to have run once on the machine. Screenshots land in
# test-artifacts/vscode/ at the repository root; AGENTLS_E2E_WORKSPACE picks another workspace than
# examples/, and AGENTLS_E2E_KEEP=1 keeps the temporary folder with code-server's logs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules ]]; then
    npm ci --no-audit --no-fund
fi
npm run --silent package >/dev/null
npx tsc -p tsconfig.test.json
exec node out/test/e2e/run.js "agentls-$(node -p 'require("./package.json").version').vsix"

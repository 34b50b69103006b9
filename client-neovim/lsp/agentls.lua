-- agentls for Neovim 0.11 and newer. With this folder on 'runtimepath', `vim.lsp.enable('agentls')`
-- starts the server on Markdown buffers; change any field with `vim.lsp.config('agentls', { ... })`
-- before enabling (for example `cmd = { 'python3', '-m', 'agentls' }` when the `agentls` command is
-- not on PATH).
--
-- The server attaches to every Markdown buffer, as Neovim does for any language server with
-- `filetypes`; it answers only for agent files and leaves ordinary Markdown alone.
--
-- `settings` mirrors the server's defaults (the `SETTINGS` table in server/agentls/config.py, the
-- same names as in VS Code). The server reads them through `workspace/configuration` (section
-- `agentls`) and `workspace/didChangeConfiguration`. Object-valued settings start as
-- `vim.empty_dict()` because an empty Lua table is sent as a JSON list.

---@type vim.lsp.Config
return {
  cmd = { 'agentls' },
  filetypes = { 'markdown' },
  root_markers = { '.claude', '.github', '.opencode', '.git' },
  settings = {
    agentls = {
      diagnostics = {
        -- Severity per diagnostic code: 'error', 'warning', 'information', 'hint' or 'off',
        -- e.g. { ['unknown-agent'] = 'information' }.
        severity = vim.empty_dict(),
      },
      tools = {
        -- Extra tool names to accept in `tools` and `disallowedTools`.
        extra = {},
      },
      agents = {
        -- Agents that live outside the workspace; references to them are not reported.
        known = {},
      },
      files = {
        -- Extra globs (relative to the workspace folder) mapped to a dialect: 'claude-code',
        -- 'copilot' or 'opencode', e.g. { ['docs/agents/*.md'] = 'claude-code' }.
        associations = vim.empty_dict(),
      },
      index = {
        -- Also index ~/.claude/agents/, so references to the user's own agents resolve.
        userAgents = true,
        -- Folder names to skip when scanning, besides .git, node_modules and build folders.
        exclude = {},
      },
    },
  },
}

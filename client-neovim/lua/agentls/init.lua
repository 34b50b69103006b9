-- agentls for Neovim 0.10 (it works on newer versions too, but there `vim.lsp.enable('agentls')` is
-- the simpler way): `require('agentls').setup(opts)` starts the server with `vim.lsp.start` on every
-- Markdown buffer, with the same defaults as lsp/agentls.lua.

local M = {}

-- The defaults live in one place, the 0.11 config file of this plugin folder, found relative to
-- this module rather than through 'runtimepath' so another plugin's lsp/agentls.lua cannot shadow it.
local function defaults()
  local module_file = debug.getinfo(1, 'S').source:sub(2)
  local plugin_root = vim.fn.fnamemodify(module_file, ':p:h:h:h')
  return dofile(plugin_root .. '/lsp/agentls.lua')
end

--- The configuration `setup(opts)` would use: the defaults with `opts` over them. List fields
--- (`cmd`, `filetypes`, `root_markers`) are replaced whole; `settings` are merged key by key.
---@param opts? table
---@return table
function M.config(opts)
  opts = opts or {}
  local base = defaults()
  local config = vim.tbl_extend('force', base, opts)
  config.settings = vim.tbl_deep_extend('force', base.settings, opts.settings or {})
  return config
end

--- Start (or reuse) the agentls client for one buffer.
---@param bufnr integer
---@param config table a configuration from `M.config()`
---@return integer? client_id
function M.start(bufnr, config)
  -- Only buffers that are files, as `vim.lsp.enable` does on 0.11.
  if vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local client_config = vim.tbl_extend('force', config, {
    name = 'agentls',
    root_dir = vim.fs.root(bufnr, config.root_markers),
  })
  client_config.filetypes = nil
  client_config.root_markers = nil
  return vim.lsp.start(client_config, { bufnr = bufnr })
end

--- Start agentls on Markdown buffers from now on, and on those already open.
---@param opts? table fields to change, as in lsp/agentls.lua: cmd, filetypes, root_markers, settings, ...
function M.setup(opts)
  local config = M.config(opts)
  local group = vim.api.nvim_create_augroup('agentls', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      M.start(args.buf, config)
    end,
  })
  -- A plugin manager that loads this on `ft = 'markdown'` calls setup() after the first
  -- Markdown buffer's FileType event has already fired.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr, config)
    end
  end
end

return M

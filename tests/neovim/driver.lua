-- The Neovim side of tests/neovim/test_neovim.py, run as `nvim --headless --clean -u driver.lua`.
--
-- It puts only the shipped plugin folder (client-neovim/) on 'runtimepath', starts agentls the way
-- a user would (`vim.lsp.enable('agentls')` on 0.11+, or the 0.10 `require('agentls').setup()`),
-- carries out the steps the test wrote to a JSON file, and writes what Neovim's own LSP client saw
-- to another JSON file. Every wait is for an event, bounded by a timeout, never a fixed sleep.
-- Columns in results are code points, so the test can compare them with the fixture text directly.

local spec_file = assert(vim.env.AGENTLS_NVIM_SPEC, 'AGENTLS_NVIM_SPEC is not set')

local function read_file(path)
  local handle = assert(io.open(path, 'rb'))
  local text = handle:read('*a')
  handle:close()
  return text
end

-- A step that cannot go on: reported to the test as it is, without a Lua traceback.
local function fail(message)
  error({ kind = 'step', message = message }, 0)
end

local spec = vim.json.decode(read_file(spec_file))
local timeout = spec.timeout_ms
local workspace = spec.workspace

vim.opt.runtimepath:prepend(spec.plugin)

-- What the client saw, recorded by wrapping Neovim's own handlers (they still run unchanged).
-- `delivered` counts diagnostics received per buffer, pulled or pushed alike: the server pushes to
-- clients that cannot be asked to pull again, so the test must not depend on which it chose.
local delivered = {} -- bufnr -> { count, version, how }
local marks = {} -- bufnr -> delivered count at the last `mark` step (or settings change)
local messages = {} -- window/showMessage notifications
local notifications = {} -- vim.notify calls (Neovim reports LSP problems this way)
local exits = {} -- exit code and signal of every agentls client that stopped

local function wrap_handler(method, after)
  local original = vim.lsp.handlers[method]
  vim.lsp.handlers[method] = function(err, result, ctx, config)
    local value = original(err, result, ctx, config)
    after(err, result, ctx)
    return value
  end
end

local function deliver(bufnr, version, how)
  local previous = delivered[bufnr]
  delivered[bufnr] = { count = (previous and previous.count or 0) + 1, version = version, how = how }
end

wrap_handler('textDocument/diagnostic', function(err, _, ctx)
  if err == nil then
    deliver(ctx.bufnr, ctx.version, 'pull')
  end
end)

wrap_handler('textDocument/publishDiagnostics', function(_, result)
  deliver(vim.uri_to_bufnr(result.uri), result.version, 'push')
end)

wrap_handler('window/showMessage', function(_, result)
  table.insert(messages, result)
end)

local notify = vim.notify
vim.notify = function(message, level, opts)
  table.insert(notifications, tostring(message))
  return notify(message, level, opts)
end

-- The test may change fields of the shipped config (settings, or cmd to prove a failure message),
-- as a user's init.lua would; `on_exit` only records how a client ended.
local overrides = spec.config or {}
overrides.on_exit = function(code, signal, client_id)
  table.insert(exits, { code = code, signal = signal, client_id = client_id })
end

local resolved_config
if spec.mode == 'setup' then
  local agentls = require('agentls')
  agentls.setup(overrides)
  resolved_config = agentls.config(overrides)
else
  vim.lsp.config('agentls', overrides)
  vim.lsp.enable('agentls')
  resolved_config = vim.lsp.config.agentls
end

local function agentls_clients(filter)
  local all = { name = 'agentls', _uninitialized = true }
  return vim.lsp.get_clients(vim.tbl_extend('force', all, filter or {}))
end

local function attached_client(bufnr)
  for _, client in ipairs(agentls_clients({ bufnr = bufnr })) do
    if client.initialized and not client:is_stopped() then
      return client
    end
  end
  return nil
end

local function absolute(path)
  return vim.fs.joinpath(workspace, path)
end

local function buffer_for(path)
  local bufnr = vim.fn.bufnr(absolute(path))
  if bufnr < 0 then
    fail(('%s is not open'):format(path))
  end
  return bufnr
end

-- Show the buffer in the window: Neovim pulls diagnostics only for visible buffers.
local function focus(path)
  local bufnr = buffer_for(path)
  vim.api.nvim_set_current_buf(bufnr)
  return bufnr
end

local function client_for(bufnr)
  return attached_client(bufnr) or fail(('no agentls client is attached to buffer %d'):format(bufnr))
end

local function line_text(bufnr, line)
  return vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1] or ''
end

local function code_points(text, byte_col)
  return vim.str_utfindex(text, 'utf-32', math.min(byte_col, #text), false)
end

local function describe_failure(path)
  local lines = { ('agentls did not start for %s.'):format(path) }
  local cmd = resolved_config and resolved_config.cmd
  table.insert(lines, ('cmd = %s'):format(vim.inspect(cmd)))
  if #agentls_clients() == 0 and #exits == 0 then
    table.insert(
      lines,
      'Neovim created no agentls client: is the command installed and on PATH? '
        .. "Otherwise set cmd = { 'python3', '-m', 'agentls' } with vim.lsp.config()."
    )
  end
  for _, exit in ipairs(exits) do
    local said = 'The server exited with code %s (signal %s) before it answered.'
    table.insert(lines, said:format(exit.code, exit.signal))
  end
  for _, message in ipairs(notifications) do
    table.insert(lines, 'Neovim said: ' .. message)
  end
  return table.concat(lines, '\n')
end

local ops = {}

function ops.open(step)
  vim.cmd.edit(vim.fn.fnameescape(absolute(step.path)))
  local bufnr = vim.api.nvim_get_current_buf()
  -- `vim.lsp.enable` and `vim.lsp.start` create the client while the buffer's FileType event
  -- runs; when none exists shortly after, none is coming.
  vim.wait(1000, function()
    return #agentls_clients() > 0
  end, 10)
  local started = vim.wait(timeout, function()
    return attached_client(bufnr) ~= nil or #agentls_clients() == 0 or #exits > 0
  end, 10)
  local client = attached_client(bufnr)
  if not started or client == nil then
    error({ kind = 'not-started', message = describe_failure(step.path) }, 0)
  end
  return {
    bufnr = bufnr,
    filetype = vim.bo[bufnr].filetype,
    root_dir = client.root_dir,
    offset_encoding = client.offset_encoding,
  }
end

function ops.clients(step)
  local names = {}
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = buffer_for(step.path) })) do
    table.insert(names, client.name)
  end
  return names
end

-- Diagnostics of a buffer, once Neovim has received them for the buffer's current text (and, with
-- `fresh`, since the last `mark` step); with `wait = false`, whatever Neovim has now.
function ops.diagnostics(step)
  local bufnr = focus(step.path)
  local answered = step.wait == false
    or vim.wait(timeout, function()
      local last = delivered[bufnr]
      return last ~= nil
        and last.version == vim.lsp.util.buf_versions[bufnr]
        and (not step.fresh or last.count > (marks[bufnr] or 0))
    end, 10)
  if not answered then
    fail(('Neovim received no diagnostics for %s (version %s%s) within %d ms (last: %s)'):format(
      step.path,
      vim.lsp.util.buf_versions[bufnr],
      step.fresh and ', after the last mark' or '',
      timeout,
      vim.inspect(delivered[bufnr])
    ))
  end
  local items = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    local end_lnum = diagnostic.end_lnum or diagnostic.lnum
    local end_col = diagnostic.end_col or diagnostic.col
    table.insert(items, {
      code = diagnostic.code,
      severity = diagnostic.severity,
      source = diagnostic.source,
      message = diagnostic.message,
      range = ('%d:%d-%d:%d'):format(
        diagnostic.lnum,
        code_points(line_text(bufnr, diagnostic.lnum), diagnostic.col),
        end_lnum,
        code_points(line_text(bufnr, end_lnum), end_col)
      ),
    })
  end
  return items
end

function ops.set_lines(step)
  local bufnr = focus(step.path)
  vim.api.nvim_buf_set_lines(bufnr, step.start, step['end'], true, step.lines)
  return vim.lsp.util.buf_versions[bufnr]
end

-- Position params in the client's negotiated encoding, from a code point column (-1: end of line).
-- Built by hand because the cursor of a headless Neovim sits in Normal mode, where it cannot be
-- placed after the last character the way Insert mode completion needs.
local function position_params(bufnr, client, line, character)
  local text = line_text(bufnr, line)
  local byte_col = character < 0 and #text or vim.str_byteindex(text, 'utf-32', character, false)
  return {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = vim.str_utfindex(text, client.offset_encoding, byte_col, false) },
  }
end

local function request(bufnr, client, method, params)
  local response, err = client:request_sync(method, params, timeout, bufnr)
  if response == nil then
    fail(('%s got no answer: %s'):format(method, tostring(err)))
  end
  if response.err then
    fail(('%s failed: %s (code %s)'):format(method, response.err.message, response.err.code))
  end
  return response.result
end

function ops.request(step)
  local bufnr = focus(step.path)
  local client = client_for(bufnr)
  local params = position_params(bufnr, client, step.line, step.character)
  if step.method == 'textDocument/completion' then
    -- What `vim.lsp.omnifunc` (<C-x><C-o>) sends.
    params.context = { triggerKind = 1 }
  end
  local result = request(bufnr, client, step.method, params)
  return result == nil and vim.NIL or result
end

-- Whole-document requests (the kind Neovim sends by itself on attach, such as semantic tokens):
-- each method's result, or 'unsupported' when the server does not offer it.
function ops.document_requests(step)
  local bufnr = focus(step.path)
  local client = client_for(bufnr)
  local whole = {
    start = { line = 0, character = 0 },
    ['end'] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 },
  }
  local answers = {}
  for _, method in ipairs(step.methods) do
    if client:supports_method(method, bufnr) then
      local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
      if method == 'textDocument/codeAction' then
        params.range = whole
        params.context = { diagnostics = {} }
      elseif method == 'textDocument/inlayHint' then
        params.range = whole
      end
      local result = request(bufnr, client, method, params)
      answers[method] = result == nil and vim.NIL or result
    else
      answers[method] = 'unsupported'
    end
  end
  return answers
end

-- Accept a completion item by label the way a completion plugin does: apply its text edit.
function ops.accept_completion(step)
  local bufnr = focus(step.path)
  local client = client_for(bufnr)
  local params = position_params(bufnr, client, step.line, step.character)
  params.context = { triggerKind = 1 }
  local result = request(bufnr, client, 'textDocument/completion', params) or {}
  local items = result.items or result
  for _, item in ipairs(items) do
    if item.label == step.label then
      local edit = item.textEdit
      if edit == nil then
        fail(('completion item %q has no textEdit to replace the word being typed'):format(step.label))
      end
      local range = edit.range or edit.replace
      local text_edit = { range = range, newText = edit.newText }
      vim.lsp.util.apply_text_edits({ text_edit }, bufnr, client.offset_encoding)
      return line_text(bufnr, step.line)
    end
  end
  local labels = {}
  for _, item in ipairs(items) do
    table.insert(labels, item.label)
  end
  fail(('no completion item %q among %s'):format(step.label, vim.inspect(labels)))
end

-- The user's `vim.lsp.buf.definition()`: where does the cursor land?
function ops.goto_definition(step)
  local bufnr = focus(step.path)
  local text = line_text(bufnr, step.line)
  vim.api.nvim_win_set_cursor(0, { step.line + 1, vim.str_byteindex(text, 'utf-32', step.character, false) })
  local seen = #notifications
  vim.lsp.buf.definition()
  local moved = vim.wait(timeout, function()
    return vim.api.nvim_get_current_buf() ~= bufnr or #notifications > seen
  end, 10)
  if not moved or vim.api.nvim_get_current_buf() == bufnr then
    fail(('definition did not jump: %s'):format(table.concat(vim.list_slice(notifications, seen + 1), '; ')))
  end
  local cursor = vim.api.nvim_win_get_cursor(0)
  return {
    path = vim.fs.relpath(workspace, vim.api.nvim_buf_get_name(0)) or vim.api.nvim_buf_get_name(0),
    line = cursor[1] - 1,
    character = code_points(vim.api.nvim_get_current_line(), cursor[2]),
  }
end

-- Remember what every buffer has received so far: a later `fresh` diagnostics step waits for more.
function ops.mark()
  for bufnr, last in pairs(delivered) do
    marks[bufnr] = last.count
  end
  return vim.NIL
end

-- Change settings at run time, as `:lua` would: the client's settings answer later
-- `workspace/configuration` requests, and the notification tells the server.
function ops.configure(step)
  local client = agentls_clients()[1] or fail('no agentls client to configure')
  ops.mark()
  client.settings = vim.tbl_deep_extend('force', client.settings, step.settings)
  client:notify('workspace/didChangeConfiguration', { settings = client.settings })
  return vim.NIL
end

function ops.messages()
  return { show_message = messages, notify = notifications }
end

function ops.config()
  return {
    cmd = resolved_config.cmd,
    filetypes = resolved_config.filetypes,
    root_markers = resolved_config.root_markers,
    settings = resolved_config.settings,
  }
end

local function run()
  local results = {}
  local timings = {}
  for index, step in ipairs(spec.steps) do
    local started = vim.uv.hrtime()
    local op = ops[step.op] or error(('unknown step %q'):format(step.op))
    local ok, value = xpcall(op, function(err)
      if type(err) == 'table' then
        return err
      end
      return { kind = 'error', message = debug.traceback(tostring(err), 2) }
    end, step)
    table.insert(timings, (vim.uv.hrtime() - started) / 1e6)
    if not ok then
      local failure = vim.tbl_extend('force', value, { step = index - 1 })
      return { results = results, timings_ms = timings, failure = failure }
    end
    table.insert(results, value)
  end
  return { results = results, timings_ms = timings }
end

local function stop_clients()
  for _, client in ipairs(agentls_clients()) do
    client:stop()
  end
  vim.wait(timeout, function()
    return #agentls_clients() == 0
  end, 10)
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  -- Opening files from here must fire their FileType events, which start the client.
  nested = true,
  callback = function()
    local ok, outcome = pcall(run)
    if not ok then
      outcome = { results = {}, failure = { kind = 'error', message = tostring(outcome) } }
    end
    pcall(stop_clients)
    outcome.exits = exits
    local handle = assert(io.open(spec.result, 'wb'))
    handle:write(vim.json.encode(outcome))
    handle:close()
    vim.cmd(outcome.failure and 'cquit! 1' or 'qall!')
  end,
})

"""`python -m agentls`: the same entry point as the `agentls` command."""

from .cli import console

console()

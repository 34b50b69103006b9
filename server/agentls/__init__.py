"""agentls: a language server and linter for AI agent definition files."""

__version__ = "0.1.0"

"""`python -m agentls`: the same entry point as the `agentls` command."""

from .cli import main

raise SystemExit(main())

"""Organisation units, roles, audit log and API keys."""

"""The agent: think, act (code or tool), observe, answer; with recovery, plans and budgets."""

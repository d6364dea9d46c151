"""Subcommands of the `glassbox` CLI, one module per area, each exposing register()."""

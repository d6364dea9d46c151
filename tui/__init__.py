"""Glassbox's Textual app, screens, the engine-to-UI bridge and the CLI entry point."""

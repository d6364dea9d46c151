"""Textual widgets for the Glassbox dashboard; they import only engine.events from the engine."""

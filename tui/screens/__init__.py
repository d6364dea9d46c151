"""Modal screens around the dashboard: help, sessions, models, settings, search and dialogs."""

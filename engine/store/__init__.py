"""The single SQLite file: connection with sqlite-vec, migrations and repositories."""

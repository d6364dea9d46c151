"""Memory: local embeddings, vectors and full text in the one SQLite file, semantic cache, recall."""

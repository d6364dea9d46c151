"""Reading a task's text: its tokens, operation words and signature, shared by the cache and adaptation."""

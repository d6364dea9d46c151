"""Real-Docker tests of the sandbox."""

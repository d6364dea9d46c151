"""Runs model-written code in Docker containers with hard limits and live output."""

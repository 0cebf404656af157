"""Grading code that students submit: assignments, the sandbox, the runner."""

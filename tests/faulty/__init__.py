"""Misbehaving solvers, installed through the entry point to test the harness's isolation."""

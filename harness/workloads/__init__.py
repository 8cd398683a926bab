"""Workloads that reproduce the paper's figures as plain data (dicts of NumPy arrays)."""

"""Optimisers: pure functions over plain dataclasses and NumPy arrays (no Django imports)."""

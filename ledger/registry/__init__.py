"""Typed operations on the consortium's registry and governance, and their records."""

"""The root of lienchain's exception tree."""

from __future__ import annotations

__all__ = [
    "LienchainError",
]


class LienchainError(Exception):
    """Root of every error lienchain raises on purpose."""

"""The root of lienchain's exception tree, and how an error's message is built from its fields."""

from __future__ import annotations

from typing import ClassVar

__all__ = ["LienchainError"]


class LienchainError(Exception):
    """Root of every error lienchain raises on purpose.

    An error is either given its message (`TransactionFailed("...")`), or declares the fields it
    carries as a dataclass and its message as a `template` over them:

        @dataclass(eq=False)
        class ChainExists(LedgerError, FileExistsError):
            path: str
            template = "an embedded chain already exists in {path}: open it, or choose another directory"

    (`eq=False` keeps exceptions compared, and hashed, by identity.) A message that needs more
    than formatting its fields is written in the class's `__str__`.
    """

    #: The message: a `str.format` template over the error's attributes; None where it is given.
    template: ClassVar[str | None] = None

    def __str__(self) -> str:
        # Defined on the root, so it comes before KeyError's and OSError's own __str__ in a class
        # that also derives from one of those (`UnknownAccount(ConfigError, KeyError)`).
        if self.template is None:
            return super().__str__()
        return self.template.format_map(vars(self))

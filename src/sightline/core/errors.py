"""Domain errors. Services and selectors raise these, never HTTP exceptions; web and API map them."""

from __future__ import annotations


class NotFound(LookupError):
    """The object does not exist (or, to this viewer, must look as if it does not)."""

    def __init__(self, message: str = "Not found") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

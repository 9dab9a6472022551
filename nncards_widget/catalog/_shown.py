"""Values shown in messages, bounded: a huge or deeply nested value never makes a huge message."""

from __future__ import annotations

import itertools
import reprlib

__all__ = ["short_repr"]

#: Longest text ``short_repr`` returns.
LIMIT = 80


class _BoundedRepr(reprlib.Repr):
    """``reprlib`` limits, and dicts in their own order (reprlib sorts them: n log n)."""

    def __init__(self):
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = 8
        self.maxdict = 6
        self.maxstring = self.maxother = LIMIT
        self.maxlong = 40

    def repr_dict(self, x, level):
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        items = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}"
                 for k, v in itertools.islice(x.items(), self.maxdict)]
        return "{" + ", ".join(items) + (", ..." if len(x) > self.maxdict else "") + "}"

    def repr_int(self, x, level):
        if x.bit_length() > 4 * self.maxlong:  # str() of a huge int is slow, then refused
            return f"<an integer of {x.bit_length()} bits>"
        return super().repr_int(x, level)


_REPR = _BoundedRepr()


def short_repr(value, limit: int = LIMIT) -> str:
    """``repr(value)`` cut to ``limit`` characters (ending in ``...``), computed in bounded time."""
    try:
        text = _REPR.repr(value)
    except Exception:  # a user object whose repr fails
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[:limit - 3] + "..."

"""Colours of port types and card categories: js/src/colors.ts in Python (for pictures drawn by
the kernel, ``picture.py``)."""

from __future__ import annotations

from . import catalog

__all__ = ["type_color", "category_color", "tint", "shared_color", "hsl_to_hex"]

_KNOWN = {
    catalog.TENSOR: "#2f6fd0",
    catalog.LAYER: "#8a4fc4",
    catalog.INITIALIZER: "#1f9a62",
    catalog.REGULARIZER: "#d9821c",
    catalog.CONSTRAINT: "#c73a6a",
    "Integer": "#4f5fb8",
    "Float": "#0f8a86",
    "Boolean": "#7a5a43",
    "String": "#6b7280",
}

_CATEGORIES = {
    "Layers": "#2f6fd0",
    "Layer wrappers": "#8a4fc4",
    "Initializers": "#1f9a62",
    "Regularizers": "#d9821c",
    "Constraints": "#c73a6a",
}


def hsl_to_hex(h: float, s: float, lightness: float) -> str:
    a = s * min(lightness, 1 - lightness)

    def f(n):
        k = (n + h / 30) % 12
        c = lightness - a * max(-1, min(k - 3, 9 - k, 1))
        return f"{_js_round(255 * c):02x}"

    return f"#{f(0)}{f(8)}{f(4)}"


def _js_round(v: float) -> int:
    """``Math.round``: halves go up."""
    return int(v // 1 + (1 if v % 1 >= 0.5 else 0))


def type_color(type_: str) -> str:
    """A stable colour for any port type; unknown types get a hue from their name."""
    if type_ in _KNOWN:
        return _KNOWN[type_]
    h = 0
    for ch in type_:
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return hsl_to_hex(h % 360, 0.55, 0.45)


def category_color(category) -> str:
    """Colour of a card's header band, by its catalogue category."""
    return _CATEGORIES.get(category[0] if category else "", "#37474f")


def tint(hex_: str, t: float) -> str:
    """Mix a colour with white: t = 0 gives the colour, t = 1 white."""
    n = int(hex_[1:], 16)
    ch = [_js_round(c + (255 - c) * t) for c in ((n >> 16) & 255, (n >> 8) & 255, n & 255)]
    return "#" + "".join(f"{c:02x}" for c in ch)


def shared_color(names) -> str:
    """The colour marking cards that share one layer object (the same for the whole group)."""
    key = "\u0000".join(sorted(names))
    h = 2166136261
    for ch in key:
        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return hsl_to_hex(h % 360, 0.7, 0.45)

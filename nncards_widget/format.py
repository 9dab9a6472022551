"""How values, shapes and counts are written on cards: js/src/format.ts in Python.

The kernel draws pictures of a network (``picture.py``) and sizes cards (``geometry.py``) with
the very texts the canvas shows, so numbers follow JavaScript's rules here (``3.0`` is ``3``,
``toPrecision`` rounds half away from zero).
"""

from __future__ import annotations

import decimal
import json
import math
import re

__all__ = ["js_number", "format_number", "format_value", "format_shape", "format_count",
           "ellipsize", "format_stat", "format_share", "has_preview", "preview_lines",
           "pending_note"]


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def js_number(v) -> str:
    """``String(v)`` of a JavaScript number (shortest round-trip digits, JS's exponent rules)."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    _, digits, exp = decimal.Decimal(repr(abs(v))).normalize().as_tuple()
    ds = "".join(map(str, digits))
    k = len(ds)
    n = exp + k  # the decimal point sits after n digits
    if k <= n <= 21:
        return sign + ds + "0" * (n - k)
    if 0 < n <= 21:
        return sign + ds[:n] + "." + ds[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + ds
    e = n - 1
    mant = ds if k == 1 else ds[0] + "." + ds[1:]
    return f"{sign}{mant}e{'+' if e >= 0 else '-'}{abs(e)}"


def _rounded(v: float, digits: int) -> decimal.Decimal:
    """``v`` to ``digits`` significant digits, half away from zero (JS toPrecision)."""
    with decimal.localcontext() as ctx:
        ctx.prec = digits
        ctx.rounding = decimal.ROUND_HALF_UP
        return +decimal.Decimal(v)


def _to_precision(v: float, digits: int) -> float:
    """``Number(v.toPrecision(digits))``."""
    return float(_rounded(v, digits))


def _to_exponential(v: float, fraction: int) -> str:
    """``v.toExponential(fraction)``: ``1.23e+4``."""
    sign, digits, exp = _rounded(v, fraction + 1).as_tuple()
    ds = "".join(map(str, digits))
    e = exp + len(ds) - 1
    ds = (ds + "0" * (fraction + 1))[:fraction + 1]
    mant = ds[0] + ("." + ds[1:] if fraction else "")
    return f"{'-' if sign else ''}{mant}e{'+' if e >= 0 else '-'}{abs(e)}"


def format_number(v) -> str:
    if not math.isfinite(v):
        return js_number(v)
    if float(v).is_integer():
        return js_number(v)
    a = abs(v)
    if a != 0 and (a < 1e-3 or a >= 1e6):
        return re.sub(r"\.?0+e", "e", _to_exponential(v, 2), count=1)
    return js_number(_to_precision(v, 4))


def format_value(value, input=None) -> str:
    """The value of a parameter (``input``: its ``InputSpec``) as shown on a card row."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return format_number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, str):
        return '""' if value == "" else value
    cards = value.get("cards") if getattr(input, "type", None) == "Graph" and isinstance(
        value, dict) else None
    if isinstance(cards, list):  # a nested model's inner graph
        return f"{len(cards)} card{'' if len(cards) == 1 else 's'}"
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def format_shape(shape) -> str:
    """``[None, 20, 16]`` -> ``"(None, 20, 16)"``; several outputs are joined."""
    if shape is None or shape == "":
        return ""
    if isinstance(shape, str):
        return shape
    if isinstance(shape, (list, tuple)):
        if shape and all(isinstance(s, (list, tuple)) for s in shape):
            return " ".join(format_shape(s) for s in shape)
        parts = ["None" if d is None else (js_number(d) if _is_number(d) else str(d))
                 for d in shape]
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    return str(shape)


def format_count(n) -> str:
    """12345 -> ``"12,345"``."""
    if not _is_number(n) or not math.isfinite(n):
        return ""
    return f"{math.floor(n + 0.5):,}"


def ellipsize(text: str, limit: int) -> str:
    """Shorten text to at most ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[:max(1, limit - 1)] + "…"


def format_stat(v) -> str:
    """A statistic with three significant digits: 0.1234 -> ``"0.123"``, None -> ``"–"``."""
    if not _is_number(v):
        return "–"
    if not math.isfinite(v):
        return js_number(v)
    if v == 0:
        return "0"
    if abs(v) < 1e-3 or abs(v) >= 1e5:
        return re.sub(r"\.?0+e", "e", _to_exponential(v, 2), count=1).replace("e+", "e", 1)
    return js_number(_to_precision(v, 3))


def format_share(z) -> str:
    """The share of zeros as a percentage: 0.25 -> ``"25%"``."""
    if not _is_number(z) or not math.isfinite(z):
        return "–"
    pct = z * 100
    if pct in (0, 100):
        return f"{js_number(pct)}%"
    return f"{js_number(_to_precision(pct, 2)) if pct < 1 or pct > 99 else math.floor(pct + 0.5)}%"


def has_preview(p) -> bool:
    """True when an inspection preview (``Card.preview``) has something to show."""
    return isinstance(p, dict) and isinstance(p.get("shape"), list)


def preview_lines(p: dict) -> tuple:
    """``(caption, stats)``: the two text lines of a card's preview strip."""
    zeros = p.get("zeros")
    caption = " · ".join(t for t in (format_shape(p.get("shape") or []), p.get("dtype") or "",
                                     f"{format_share(zeros)} zeros" if _is_number(zeros) else "")
                         if t)
    if p.get("pending") is True:  # not made yet (a view asks for it when it shows the card)
        stats = "…"
    elif _is_number(p.get("min")):
        stats = (f"min {format_stat(p.get('min'))}  mean {format_stat(p.get('mean'))}  "
                 f"max {format_stat(p.get('max'))}")
    else:
        stats = "no numeric values"
    return caption, stats


def pending_note(error: str) -> str | None:
    """The footer note of a card that is only unfinished ("not connected yet", "needs Units");
    None for a real error."""
    if not error:
        return None
    if "has nothing connected to its input" in error:
        return "not connected yet"
    m = re.search(r"needs a value for parameter '([^']+)'", error)
    return f"needs {m.group(1)}" if m else None

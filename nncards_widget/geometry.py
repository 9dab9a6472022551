"""Card geometry: where every row, port dot and text of a card goes -- js/src/geometry.ts in
Python, from the same ``catalog/geometry.json``.

The kernel reserves room for cards it places (``placement_height``) and draws pictures of a
network (``picture.py``) with it, so a card in a picture has the size, rows and port dots it has
on the canvas. Coordinates are model pixels from the card's top-left corner.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from . import catalog
from .format import ellipsize, format_value

__all__ = ["CARD", "MORE_ROW", "CardRow", "CardGeometry", "text_width", "is_helper_port",
           "port_shown", "more_label", "layout_card", "has_tensor_port", "placement_height"]

#: The layout constants (model pixels, font sizes in px, text limits in characters).
CARD = catalog.geometry()
#: Name of the row that shows or folds a card's folded rows.
MORE_ROW = "__more__"
_HELPER_TYPES = (catalog.INITIALIZER, catalog.REGULARIZER, catalog.CONSTRAINT)


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    """Estimated width in pixels of text in the card font (the canvas's estimate, which counts
    UTF-16 code units: a character beyond U+FFFF counts twice)."""
    widths, other = CARD["charWidths"], CARD["otherCharWidth"]
    units = 0
    for ch in text:
        c = ord(ch)
        units += widths[c - 32] if 32 <= c <= 126 else other * (2 if c > 0xFFFF else 1)
    return (units / 1000) * font_size * (1.1 if bold else 1) * 1.1


def is_helper_port(inp: catalog.InputSpec) -> bool:
    """Initializer, regularizer and constraint ports."""
    return inp.is_port and inp.type in _HELPER_TYPES


def port_shown(inp: catalog.InputSpec, connected=frozenset()) -> bool:
    """A port row is on the face unless it is a helper or optional port with no wire (the
    parameters' rule is ``InputSpec.shown``)."""
    return not (is_helper_port(inp) or inp.optional) or f"in:{inp.name}" in connected


def more_label(hidden_ports: int, hidden_params: int) -> str:
    """The "+" row's text: ``"+ 7 ports · 3 settings"``, or ``"− fewer"`` when unfolded."""
    if not hidden_ports and not hidden_params:
        return "− fewer"
    parts = [f"{n} {noun}{'s' if n > 1 else ''}"
             for n, noun in ((hidden_ports, "port"), (hidden_params, "setting")) if n]
    return "+ " + " · ".join(parts)


@dataclass
class CardRow:
    kind: str  # output | port | param | more
    name: str
    label: str
    type: str
    #: Centre line of the row.
    y: float
    #: Value text of a parameter row (shortened), and whether it is the default.
    value: str | None = None
    is_default: bool = False


@dataclass
class CardGeometry:
    width: float
    height: float
    header_height: float
    rows: list
    #: Port dot centres from the top-left corner, by port name.
    input_ports: dict = field(default_factory=dict)
    output_ports: dict = field(default_factory=dict)
    divider_y: float | None = None
    footer_y: float | None = None
    preview_y: float | None = None


def layout_card(spec: catalog.CardSpec, values=None, title=None, subtitle="", footer="",
                preview=None, connected=frozenset(), expanded=False) -> CardGeometry:
    """Lay out a card as ``layoutCard`` does: rows, ports, width and height. ``preview``: the
    lines of the inspection strip (None: no strip); ``connected``: ``"in:<port>"`` of wired
    inputs; ``expanded``: every row shown (the "+" row was clicked)."""
    values = values or {}
    fs = CARD["fontSize"]
    row_h = CARD["rowHeight"]
    rows = []
    y = CARD["headerHeight"] + CARD["sectionGap"]
    width = CARD["minWidth"]
    width = max(width, text_width(spec.title if title is None else title, CARD["titleSize"],
                                  True) + 2 * CARD["padX"] + 20)
    if subtitle:
        width = max(width, text_width(subtitle, fs) + 2 * CARD["padX"] + 20)
    for out in spec.outputs:
        label = ellipsize(out.label, CARD["labelMaxChars"])
        rows.append(CardRow("output", out.name, label, out.type, y + row_h / 2))
        width = max(width, text_width(label, fs) + CARD["labelX"] + 2 * CARD["padX"])
        y += row_h
    divider_y = None
    if spec.outputs and spec.inputs:
        divider_y = y + CARD["sectionGap"] / 2
        y += CARD["sectionGap"]
    hidden_ports = hidden_params = foldable = 0
    for inp in spec.inputs:
        value = values.get(inp.name, inp.default) if inp.is_param else None
        if not (inp.shown(value) if inp.is_param else port_shown(inp, connected)):
            foldable += 1
            if not expanded:
                if inp.is_param:
                    hidden_params += 1
                else:
                    hidden_ports += 1
                continue
        label = ellipsize(inp.label, CARD["labelMaxChars"])
        row = CardRow("param" if inp.is_param else "port", inp.name, label, inp.type,
                      y + row_h / 2)
        need = text_width(label, fs) + CARD["labelX"] + CARD["padX"]
        if inp.is_param:
            row.value = ellipsize(format_value(value, inp), CARD["valueMaxChars"])
            row.is_default = inp.name != "name" and inp.at_default(value)
            need += 22 + text_width(row.value, fs)
        width = max(width, need)
        rows.append(row)
        y += row_h
    if foldable:
        rows.append(CardRow("more", MORE_ROW, more_label(hidden_ports, hidden_params), "",
                            y + row_h / 2))
        y += row_h
    footer_y = None
    if footer:
        width = max(width, text_width(footer, fs) + 2 * CARD["padX"])
        footer_y = y + 4
        y += 4 + CARD["footerHeight"]
    else:
        y += CARD["bottomPad"]
    preview_y = None
    if preview is not None:
        for i, line in enumerate(preview):
            # the first line leaves room for the "stale" badge
            width = max(width, text_width(line, CARD["previewFontSize"]) + 2 * CARD["padX"]
                        + (50 if i == 0 else 0))
        preview_y = y
        y += CARD["previewHeight"]
    width = math.ceil(min(CARD["maxWidth"], width) / 2) * 2
    geom = CardGeometry(width, math.ceil(y / 2) * 2, CARD["headerHeight"], rows,
                        divider_y=divider_y, footer_y=footer_y, preview_y=preview_y)
    for r in rows:
        if r.kind == "output":
            geom.output_ports[r.name] = (width - CARD["portInset"], r.y)
        elif r.kind == "port":
            geom.input_ports[r.name] = (CARD["portInset"], r.y)
    return geom


def has_tensor_port(spec: catalog.CardSpec) -> bool:
    """Cards that can get an inspection preview (layers, Input and Output cards)."""
    return any(p.type == catalog.TENSOR for p in (*spec.outputs, *spec.inputs))


def placement_height(spec: catalog.CardSpec, values=None) -> float:
    """The height to reserve for a card when placing it (``placementHeight``): its compact
    face with a shape footer and, for a card with a Tensor port, a preview strip."""
    if values:
        return _placement_height(spec, values)
    return _default_placement_height(spec.id)


def _placement_height(spec, values) -> float:
    return layout_card(spec, values, footer="(None, 1)",
                       preview=[""] if has_tensor_port(spec) else None).height


@functools.lru_cache(maxsize=None)
def _default_placement_height(card_id: str) -> float:
    return _placement_height(catalog.get(card_id), None)

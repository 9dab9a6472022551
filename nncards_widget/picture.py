"""The network as a picture drawn by the kernel: ``ed.to_svg()`` and ``ed.to_png()``.

Works with no view displayed (a script, nbconvert): the picture is made from the editor's own
state. ``network_scene`` lays every card out with the canvas's rules (``geometry.py``, the same
``catalog/geometry.json``) at its position, draws its face (title, name, the rows a compact card
shows with their values, output shape and parameter count, the inspection preview when there
is one) as a list of shapes, and each wire as the curve the canvas draws, coloured by port type.
``scene_svg`` writes the scene as SVG; ``scene_png`` paints it with Pillow.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import re
from dataclasses import dataclass, field

from . import catalog
from .colors import category_color, shared_color, tint, type_color
from .format import (ellipsize, format_count, format_shape, has_preview, pending_note,
                     preview_lines)
from .geometry import CARD, CardGeometry, layout_card, text_width

__all__ = ["Scene", "SVGText", "PNGBytes", "network_scene", "scene_svg", "scene_png"]

#: Room around the cards, in model pixels (js/src/picture.ts PAD).
PAD = 24
FONT_FAMILY = ("'Inter', 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', "
               "sans-serif")
MONO_FAMILY = "'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace"
BACKGROUND = "#ffffff"
#: Pictures wider than this (in pixels) are shown at the width of a notebook's output.
NOTEBOOK_WIDTH = 900
ERROR = "#d32f2f"
STALE = "#b45309"
#: Card ids of nested-model cards start with this (custom.py).
NESTED_PREFIX = "model:"


# -- shapes ---------------------------------------------------------------------------------------

@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str | None
    rx: float = 0
    stroke: str | None = None
    stroke_width: float = 1
    dashed: bool = False


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str


@dataclass
class Circle:
    cx: float
    cy: float
    r: float
    fill: str
    stroke: str | None
    stroke_width: float


@dataclass
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    fill: str
    bold: bool = False
    anchor: str = "start"  # start | middle | end
    mono: bool = False
    italic: bool = False


@dataclass
class Image:
    x: float
    y: float
    w: float
    h: float
    href: str  # a PNG data URI
    opacity: float = 1.0


@dataclass
class SceneCard:
    uid: str
    name: str
    card_id: str
    #: Top-left corner in model pixels.
    x: float
    y: float
    geom: CardGeometry
    shapes: list
    border: str = "#c3cad5"
    border_width: float = 1
    dashed: bool = False

    @property
    def width(self) -> float:
        return self.geom.width

    @property
    def height(self) -> float:
        return self.geom.height


@dataclass
class SceneWire:
    id: str
    #: Start (the output dot), the two handles of the curve, end (the input dot).
    points: tuple
    color: str


@dataclass
class Scene:
    cards: list = field(default_factory=list)
    wires: list = field(default_factory=list)

    def bounds(self) -> tuple:
        """``(x, y, width, height)`` of the picture in model pixels: PAD around the cards and
        the wires (a wire going backwards loops out beside its cards)."""
        if not self.cards:
            return (0, 0, 2 * PAD, 2 * PAD)
        xs = [v for c in self.cards for v in (c.x, c.x + c.width)]
        ys = [v for c in self.cards for v in (c.y, c.y + c.height)]
        for w in self.wires:
            for px, py in wire_points(w, 8):
                xs.append(px)
                ys.append(py)
        x1, y1 = min(xs) - PAD, min(ys) - PAD
        return (x1, y1, math.ceil(max(xs) + PAD - x1), math.ceil(max(ys) + PAD - y1))


# -- the scene from an editor ---------------------------------------------------------------------

def _unknown_spec(card_id: str) -> catalog.CardSpec:
    return catalog.CardSpec(id=card_id, title=card_id or "Card", category=(), role="layer",
                            keras_class=None, keras_module=None, keras_doc=None)


def network_scene(editor) -> Scene:
    """The editor's network as shapes: cards at their positions, then the wires."""
    graph = editor.graph_model
    connected: dict = {}
    users: dict = {}
    tensor_out = set()
    specs = {}
    for uid, data in graph.cards.items():
        try:
            specs[uid] = catalog.get(data.card_id)
        except Exception:  # a card made in a kernel that is gone: drawn as a plain card
            specs[uid] = _unknown_spec(data.card_id)
    for w in graph.wires.values():
        connected.setdefault(w.source, set()).add("out:" + w.source_port)
        connected.setdefault(w.target, set()).add("in:" + w.target_port)
        if w.source_port == "layer_instance":
            users[w.source] = w.target
        elif _output_type(specs[w.source], w.source_port) == catalog.TENSOR:
            tensor_out.add(w.source)
    for uid in tensor_out:
        users.pop(uid, None)
    scene = Scene()
    for uid, data in graph.cards.items():
        widget = editor.card_widget(uid)
        note = ""
        if uid in users:
            note = f"layer inside '{graph.cards[users[uid]].name}'"
        scene.cards.append(_scene_card(uid, data, specs[uid], widget, connected.get(uid, set()),
                                       note))
    by_uid = {c.uid: c for c in scene.cards}
    for w in graph.wires.values():
        src, dst = by_uid[w.source], by_uid[w.target]
        sp = src.geom.output_ports.get(w.source_port)
        tp = dst.geom.input_ports.get(w.target_port)
        start = (src.x + sp[0], src.y + sp[1]) if sp else _centre(src)
        end = (dst.x + tp[0], dst.y + tp[1]) if tp else _centre(dst)
        color = type_color(_output_type(specs[w.source], w.source_port) or catalog.TENSOR)
        scene.wires.append(SceneWire(w.id, (start, *_handles(start, end), end), color))
    return scene


def _output_type(spec, port) -> str | None:
    for o in spec.outputs:
        if o.name == port:
            return o.type
    return None


def _centre(c: SceneCard) -> tuple:
    return (c.x + c.width / 2, c.y + c.height / 2)


def _handles(sp, tp) -> tuple:
    """The curve's handles, as the canvas bends a wire (js/src/wiring.ts wireCurve): leaving
    the output dot to the right and entering the input dot from the left."""
    dx = tp[0] - sp[0]
    dy = tp[1] - sp[1]
    reach = (max(40, dx * 0.5) if dx >= 0
             else max(80, min(-dx * 0.5, 240) + abs(dy) * 0.15))
    return (sp[0] + reach, sp[1]), (tp[0] - reach, tp[1])


def _scene_card(uid, data, spec, widget, connected, layer_note) -> SceneCard:
    get = (lambda k, d=None: getattr(widget, k, d)) if widget is not None else (
        lambda k, d=None: d)
    values = {p.name: data.name if p.name == "name" else data.params.get(p.name, p.default)
              for p in spec.params}
    shape = format_shape(get("output_shape"))
    pc = get("param_count")
    params = (f"{format_count(pc)} param{'' if pc == 1 else 's'}"
              if isinstance(pc, int) and not isinstance(pc, bool) else "")
    raw = get("error", "") or ""
    pending = pending_note(raw)
    error = "" if pending else raw
    note = pending or ("" if error or shape else layer_note)
    footer = "error" if error else "   ".join(t for t in (shape or note, params) if t)
    pv = get("preview")
    lines = preview_lines(pv) if has_preview(pv) else None
    geom = layout_card(spec, values, subtitle=data.name, footer=footer,
                       preview=list(lines) if lines else None, connected=connected)
    stale = bool(get("stale", False)) and lines is not None
    shared_by = list(get("shared_by", []) or [])
    shapes = card_face(spec, geom, title=spec.title, subtitle=data.name,
                       shape=(ellipsize(error, math.floor((geom.width - 2 * CARD["padX"]) / 6))
                              if error else shape),
                       note=note, params="" if error else params, error=error,
                       connected=connected,
                       shared_by=shared_by,
                       shared=shared_color([data.name, *shared_by]),
                       preview=(pv.get("image") or "", *lines, stale) if lines else None)
    if spec.id.startswith(NESTED_PREFIX):
        shapes += _group_toggle(values.get("graph"), geom.width, bool(raw))
    pos = data.position or {}
    x = float(pos.get("x", 0) or 0)  # a card's position is its top-left corner
    y = float(pos.get("y", 0) or 0)
    card = SceneCard(uid, data.name, data.card_id, x, y, geom, shapes)
    if error:
        card.border, card.border_width = ERROR, 2.5
    elif stale:
        card.border, card.border_width, card.dashed = "#d97706", 2, True
    return card


def _group_toggle(graph, width: float, error: bool) -> list:
    """A nested model's "▸ 3 layers" badge in its header (js/src/groups.ts: the canvas opens
    the group there; a picture shows it closed)."""
    cards = graph.get("cards") if isinstance(graph, dict) else None
    n = sum(1 for c in cards if isinstance(c, dict) and c.get("card_id") not in ("input", "output")
            ) if isinstance(cards, list) and isinstance(graph.get("wires"), list) else 0
    label = f"▸ {n} layer{'' if n == 1 else 's'}"
    w = math.ceil(text_width(label, 10, True)) + 14
    x = width - w - (30 if error else 8)
    return [Rect(x, 11, w, 18, "#eef1f6", rx=9, stroke="#5b6cb0"),
            Text(x + w / 2, 23.5, label, 10, "#1f4f99", bold=True, anchor="middle")]


# -- a card's face (js/src/cardsvg.ts) ------------------------------------------------------------

def card_face(spec, geom: CardGeometry, title: str, subtitle: str = "", shape: str = "",
              params: str = "", error: str = "", note: str = "", connected=frozenset(),
              shared_by=(), shared: str = "", preview=None) -> list:
    """The shapes of a card face in card coordinates, as the canvas draws it (light theme).
    ``preview``: ``(image data URI, caption, stats, stale)`` or None."""
    W, H = geom.width, geom.height
    fs = CARD["fontSize"]
    pad = CARD["padX"]
    accent = ERROR if error else category_color(spec.category)
    out = [Rect(0, 0, W, H, "#ffffff"),
           Rect(0, 0, W, geom.header_height, tint(accent, 0.86 if error else 0.88)),
           Rect(0, 0, W, 3, accent),
           Line(0, geom.header_height - 0.5, W, geom.header_height - 0.5, tint(accent, 0.7)),
           Text(pad, 19, title, CARD["titleSize"], "#1b2330", bold=True)]
    if subtitle:
        out.append(Text(pad, 33, subtitle, 10.5, "#5b6472"))
    if shared_by and shared:
        label = f"shared ×{len(shared_by) + 1}"
        bw = text_width(label, 9.5) + 12
        bx = W - bw - (30 if error else 8)
        out += [Rect(bx, 11, bw, 16, shared, rx=8),
                Text(bx + bw / 2, 22.5, label, 9.5, "#ffffff", bold=True, anchor="middle"),
                Rect(0, 0, 4, H, shared)]
    if error:
        out += [Circle(W - 16, 20, 8, ERROR, None, 0),
                Text(W - 16, 24, "!", 12, "#ffffff", bold=True, anchor="middle")]
    for r in geom.rows:
        baseline = r.y + fs * 0.36
        if r.kind == "output":
            p = geom.output_ports[r.name]
            out.append(Text(p[0] - 10, baseline, r.label, fs, "#27313f", anchor="end"))
            out.append(_dot(p, type_color(r.type), "out:" + r.name in connected))
        elif r.kind == "port":
            p = geom.input_ports[r.name]
            out.append(_dot(p, type_color(r.type), "in:" + r.name in connected))
            out.append(Text(CARD["labelX"], baseline, r.label, fs, "#27313f"))
        elif r.kind == "more":
            out.append(Text(CARD["labelX"], baseline, r.label, 10.5, "#5b6cb0"))
        else:
            out.append(Text(CARD["labelX"], baseline, r.label, fs, "#4a5565"))
            v = r.value or ""
            vw = text_width(v, fs) + 10
            right = W - pad + 4
            unset = v == "–" or r.is_default
            out.append(Rect(right - vw, r.y - 8, vw, 16, "#f6f7f9" if unset else "#eef1f6", rx=3))
            out.append(Text(right - vw / 2, baseline, v, fs, "#9aa3af" if unset else "#111827",
                            bold=True, anchor="middle"))
    if geom.divider_y is not None:
        out.append(Line(pad, geom.divider_y, W - pad, geom.divider_y, "#e3e7ed"))
    if geom.footer_y is not None:
        fy = geom.footer_y
        out.append(Rect(0, fy, W, H - fy, "#fdeeee" if error else "#f4f6f9"))
        out.append(Line(0, fy + 0.5, W, fy + 0.5, "#e3e7ed"))
        by = fy + CARD["footerHeight"] / 2 + fs * 0.36
        if error:
            out.append(Text(pad, by, shape or error, 10.5, "#b71c1c", bold=True))
        elif shape:
            out.append(Text(pad, by, shape, 10.5, "#1f4f99", mono=True))
        elif note:
            out.append(Text(pad, by, note, 10.5, "#6b7280", italic=True))
        if params:
            out.append(Text(W - pad, by, params, 10.5, "#5b6472", anchor="end"))
    if geom.preview_y is not None and preview:
        out += _preview(geom, *preview)
    return out


def _dot(p, color: str, filled: bool) -> Circle:
    r = CARD["dotRadius"]
    return (Circle(p[0], p[1], r, color, "#ffffff", 1.5) if filled
            else Circle(p[0], p[1], r - 0.75, "#ffffff", color, 2))


def _preview(geom, image: str, caption: str, stats: str, stale: bool) -> list:
    W = geom.width
    y0 = geom.preview_y
    x = CARD["padX"]
    w = W - 2 * x
    iy = y0 + CARD["previewImageTop"]
    ih = CARD["previewImageHeight"]
    fs = CARD["previewFontSize"]
    out = [Rect(0, y0, W, CARD["previewHeight"], "#fffaf0" if stale else "#fbfcfe"),
           Line(0, y0 + 0.5, W, y0 + 0.5, "#e3e7ed"),
           Text(x, y0 + 14, caption, fs, "#374151"),
           Rect(x - 0.5, iy - 0.5, w + 1, ih + 1, "#ffffff", stroke="#d5dbe4")]
    if image:
        out.append(Image(x, iy, w, ih, image, 0.35 if stale else 1.0))
    out.append(Text(x, iy + ih + 13, stats, fs, "#9ca3af" if stale else "#1f2937"))
    if stale:
        bx = W - x - 42
        out += [Rect(bx, y0 + 4, 42, 14, STALE, rx=7),
                Text(bx + 21, y0 + 14, "STALE", 9, "#ffffff", bold=True, anchor="middle")]
    return out


# -- SVG ------------------------------------------------------------------------------------------

def _n(v: float) -> str:
    """A coordinate, to a tenth of a pixel."""
    r = round(v * 10) / 10
    return str(int(r)) if r == int(r) else f"{r:g}"


def _esc(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


def _shape_svg(s) -> str:
    if isinstance(s, Rect):
        fill = s.fill or "none"
        extra = f' rx="{_n(s.rx)}"' if s.rx else ""
        if s.stroke:
            extra += f' stroke="{s.stroke}"'
            if s.stroke_width != 1:
                extra += f' stroke-width="{_n(s.stroke_width)}"'
            if s.dashed:
                extra += ' stroke-dasharray="6 4"'
        return (f'<rect x="{_n(s.x)}" y="{_n(s.y)}" width="{_n(s.w)}" height="{_n(s.h)}" '
                f'fill="{fill}"{extra}/>')
    if isinstance(s, Line):
        return (f'<line x1="{_n(s.x1)}" y1="{_n(s.y1)}" x2="{_n(s.x2)}" y2="{_n(s.y2)}" '
                f'stroke="{s.stroke}"/>')
    if isinstance(s, Circle):
        sw = f' stroke="{s.stroke}" stroke-width="{_n(s.stroke_width)}"' if s.stroke else ""
        return f'<circle cx="{_n(s.cx)}" cy="{_n(s.cy)}" r="{_n(s.r)}" fill="{s.fill}"{sw}/>'
    if isinstance(s, Text):
        attrs = f' font-size="{_n(s.size)}"'
        if s.bold:
            attrs += ' font-weight="700"'
        if s.italic:
            attrs += ' font-style="italic"'
        if s.mono:
            attrs += f' font-family="{_esc(MONO_FAMILY)}"'
        if s.anchor != "start":
            attrs += f' text-anchor="{s.anchor}"'
        return (f'<text x="{_n(s.x)}" y="{_n(s.y)}"{attrs} fill="{s.fill}">'
                f'{_esc(s.text)}</text>')
    if isinstance(s, Image):
        op = f' opacity="{s.opacity:g}"' if s.opacity != 1 else ""
        return (f'<image x="{_n(s.x)}" y="{_n(s.y)}" width="{_n(s.w)}" height="{_n(s.h)}" '
                f'preserveAspectRatio="none" image-rendering="pixelated" '
                f'href="{_esc(s.href)}"{op}/>')
    raise TypeError(f"not a picture shape: {s!r}")


def wire_points(w: SceneWire, steps: int = 24) -> list:
    """Points along the wire's curve (``steps`` per quadratic piece)."""
    s, a, b, e = w.points
    m = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    return _quad(s, a, m, steps) + _quad(m, b, e, steps)[1:]


def wire_path(w: SceneWire) -> str:
    """The wire as the canvas draws it (cytoscape's unbundled bezier with two handles):
    quadratic pieces through the midpoint of the handles."""
    (sx, sy), (ax, ay), (bx, by), (ex, ey) = w.points
    mx, my = (ax + bx) / 2, (ay + by) / 2
    return (f"M{_n(sx)},{_n(sy)} Q{_n(ax)},{_n(ay)} {_n(mx)},{_n(my)} "
            f"Q{_n(bx)},{_n(by)} {_n(ex)},{_n(ey)}")


def scene_svg(scene: Scene) -> str:
    """An SVG document of the scene: cards (each a nested ``<svg>`` named by the card), wires
    over them (one ``<path class="wire">`` each)."""
    x, y, w, h = scene.bounds()
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'viewBox="{_n(x)} {_n(y)} {w} {h}" font-family="{_esc(FONT_FAMILY)}" '
             f'font-size="{_n(CARD["fontSize"])}">',
             f'<rect x="{_n(x)}" y="{_n(y)}" width="{w}" height="{h}" fill="{BACKGROUND}"/>']
    for c in scene.cards:
        parts.append(f'<g class="card" data-uid="{_esc(c.uid)}" data-name="{_esc(c.name)}">'
                     f'<svg x="{_n(c.x)}" y="{_n(c.y)}" width="{_n(c.width)}" '
                     f'height="{_n(c.height)}" viewBox="0 0 {_n(c.width)} {_n(c.height)}">')
        parts.extend(_shape_svg(s) for s in c.shapes)
        parts.append("</svg>")
        parts.append(_shape_svg(Rect(c.x, c.y, c.width, c.height, None, rx=6, stroke=c.border,
                                     stroke_width=c.border_width, dashed=c.dashed)))
        parts.append("</g>")
    for wire in scene.wires:
        parts.append(f'<path class="wire" data-id="{_esc(wire.id)}" d="{wire_path(wire)}" '
                     f'fill="none" stroke="{wire.color}" stroke-width="2.5" '
                     f'stroke-linecap="round"/>')
    parts.append("</svg>")
    return "".join(parts)


# -- PNG ------------------------------------------------------------------------------------------

#: Font files tried in order (found in the system's font folders by Pillow); Pillow's own font
#: when none is there.
_FONTS = {
    "sans": ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Arial.ttf", "Helvetica.ttc"),
    "bold": ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf"),
    "italic": ("LiberationSans-Italic.ttf", "DejaVuSans-Oblique.ttf", "Arial Italic.ttf",
               "ariali.ttf"),
    "mono": ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf", "Menlo.ttc", "consola.ttf"),
}
#: Fonts for a text with a character the first font found lacks (e.g. "▸").
_FALLBACK_FONTS = {
    "sans": ("DejaVuSans.ttf",), "bold": ("DejaVuSans-Bold.ttf",),
    "italic": ("DejaVuSans-Oblique.ttf",), "mono": ("DejaVuSansMono.ttf",),
}
#: Pixels a PNG may have before it is drawn without supersampling (memory).
_SUPERSAMPLE_LIMIT = 24_000_000
#: Most pixels a PNG may have (about 300 MB while it is painted).
MAX_PIXELS = 100_000_000


@functools.lru_cache(maxsize=64)
def _font(style: str, px: int, fallback: bool = False):
    """``(font, fake_bold)``: a TrueType font of ``style`` at ``px`` pixels."""
    from PIL import ImageFont

    for name in (_FALLBACK_FONTS if fallback else _FONTS)[style]:
        try:
            return ImageFont.truetype(name, px), False
        except OSError:
            continue
    return (_font(style, px) if fallback else (ImageFont.load_default(px), style == "bold"))


@functools.lru_cache(maxsize=1024)
def _lacks(font, ch: str) -> bool:
    """The font draws ``ch`` as its "missing glyph" box."""
    def look(c):
        m = font.getmask(c)
        return m.size, bytes(m)

    return look(ch) == look("\U000F0000")  # a private-use character no font draws


def _text_font(style: str, px: int, text: str):
    font, fake_bold = _font(style, px)
    if any(ord(ch) > 0x2000 and _lacks(font, ch) for ch in text):
        return _font(style, px, True)
    return font, fake_bold


def _rgb(color: str) -> tuple:
    n = int(color[1:], 16)
    return ((n >> 16) & 255, (n >> 8) & 255, n & 255)


def _quad(p0, p1, p2, steps: int) -> list:
    return [((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0],
             (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1])
            for t in (i / steps for i in range(steps + 1))]


def _paint(draw, image, shapes, k: float, ox: float, oy: float) -> None:
    """Paint shapes at scale ``k`` with their origin at pixel ``(ox, oy)``."""
    from PIL import Image as PILImage

    def P(x, y):
        return (ox + x * k, oy + y * k)

    for s in shapes:
        if isinstance(s, Rect):
            box = [P(s.x, s.y), P(s.x + s.w, s.y + s.h)]
            box[1] = (max(box[0][0], box[1][0] - 1), max(box[0][1], box[1][1] - 1))
            fill = _rgb(s.fill) if s.fill else None
            outline = _rgb(s.stroke) if s.stroke else None
            width = max(1, round(s.stroke_width * k)) if s.stroke else 0
            if s.rx:
                draw.rounded_rectangle(box, radius=s.rx * k, fill=fill, outline=outline,
                                       width=width)
            else:
                draw.rectangle(box, fill=fill, outline=outline, width=width)
        elif isinstance(s, Line):
            draw.line([P(s.x1, s.y1), P(s.x2, s.y2)], fill=_rgb(s.stroke),
                      width=max(1, round(k)))
        elif isinstance(s, Circle):
            cx, cy = P(s.cx, s.cy)
            r = (s.r + s.stroke_width / 2) * k
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_rgb(s.stroke or s.fill))
            r = (s.r - s.stroke_width / 2) * k
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_rgb(s.fill))
        elif isinstance(s, Text):
            style = "mono" if s.mono else "bold" if s.bold else "italic" if s.italic else "sans"
            font, fake_bold = _text_font(style, max(1, round(s.size * k)), s.text)
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[s.anchor]
            draw.text(P(s.x, s.y), s.text, font=font, fill=_rgb(s.fill), anchor=anchor,
                      stroke_width=max(1, round(k / 3)) if fake_bold else 0,
                      stroke_fill=_rgb(s.fill))
        elif isinstance(s, Image):
            try:
                raw = base64.b64decode(s.href.split(",", 1)[1])
                pic = PILImage.open(io.BytesIO(raw)).convert("RGBA")
            except Exception:  # not a picture we can read: the frame stays empty
                continue
            x0, y0 = P(s.x, s.y)
            size = (max(1, round(s.w * k)), max(1, round(s.h * k)))
            pic = pic.resize(size, PILImage.NEAREST)
            if s.opacity < 1:
                pic.putalpha(pic.getchannel("A").point(lambda a, o=s.opacity: round(a * o)))
            image.paste(pic, (round(x0), round(y0)), pic)


def _stroke_outline(pts: list, r: float) -> list:
    """The outline of a polyline stroked ``2 r`` wide (Pillow's wide lines leave gaps)."""
    left, right = [], []
    for i, (x, y) in enumerate(pts):
        (ax, ay), (bx, by) = pts[max(0, i - 1)], pts[min(len(pts) - 1, i + 1)]
        tx, ty = bx - ax, by - ay
        n = math.hypot(tx, ty) or 1.0
        nx, ny = -ty / n * r, tx / n * r
        left.append((x + nx, y + ny))
        right.append((x - nx, y - ny))
    return left + right[::-1]


def _dashed_frame(draw, x, y, w, h, color, width, dash, gap) -> None:
    """A dashed frame along a box's edges (Pillow has no dashed lines)."""
    for (x1, y1, x2, y2) in ((x, y, x + w, y), (x + w, y, x + w, y + h),
                             (x + w, y + h, x, y + h), (x, y + h, x, y)):
        length = math.hypot(x2 - x1, y2 - y1)
        t = 0.0
        while t < length:
            a, b = t / length, min(t + dash, length) / length
            draw.line([(x1 + (x2 - x1) * a, y1 + (y2 - y1) * a),
                       (x1 + (x2 - x1) * b, y1 + (y2 - y1) * b)], fill=color, width=width)
            t += dash + gap


def scene_png(scene: Scene, scale: float = 2) -> bytes:
    """The scene painted as a PNG, ``scale`` pixels per model pixel."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    if not (isinstance(scale, (int, float)) and not isinstance(scale, bool)
            and 0 < scale <= 16 and math.isfinite(scale)):
        raise ValueError(f"Cannot draw the network at scale {catalog.short_repr(scale)}: expected "
                         f"a number above 0 and at most 16")
    x, y, w, h = scene.bounds()
    size = (max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale)))
    if size[0] * size[1] > MAX_PIXELS:
        most = math.floor(math.sqrt(MAX_PIXELS / (w * h)) * 100)
        while most > 1 and math.ceil(w * most / 100) * math.ceil(h * most / 100) > MAX_PIXELS:
            most -= 1
        raise ValueError(f"Cannot draw the network at scale {scale}: the PNG would be "
                         f"{size[0]}×{size[1]} pixels (more than {MAX_PIXELS:,}); use scale "
                         f"{most / 100} or less, or to_svg()")
    ss = 2 if size[0] * size[1] * 4 <= _SUPERSAMPLE_LIMIT else 1
    k = scale * ss
    big = PILImage.new("RGB", (size[0] * ss, size[1] * ss), _rgb(BACKGROUND))
    draw = ImageDraw.Draw(big)
    for c in scene.cards:
        cw, ch = max(1, round(c.width * k)), max(1, round(c.height * k))
        face = PILImage.new("RGB", (cw, ch), _rgb(BACKGROUND))
        _paint(ImageDraw.Draw(face), face, c.shapes, k, 0, 0)
        mask = PILImage.new("L", (cw, ch), 0)
        ImageDraw.Draw(mask).rounded_rectangle([0, 0, cw - 1, ch - 1], radius=6 * k, fill=255)
        ox, oy = round((c.x - x) * k), round((c.y - y) * k)
        big.paste(face, (ox, oy), mask)
        if c.dashed:
            _dashed_frame(draw, ox, oy, cw, ch, _rgb(c.border), max(1, round(c.border_width * k)),
                          6 * k, 4 * k)
        else:
            _paint(draw, big, [Rect(0, 0, c.width, c.height, None, rx=6, stroke=c.border,
                                    stroke_width=c.border_width)], k, ox, oy)
    for wire in scene.wires:
        pts = [((px - x) * k, (py - y) * k) for px, py in wire_points(wire)]
        width = max(1, round(2.5 * k))
        color = _rgb(wire.color)
        r = width / 2
        draw.polygon(_stroke_outline(pts, r), fill=color)
        for px, py in (pts[0], pts[-1]):  # round caps
            draw.ellipse([px - r, py - r, px + r, py + r], fill=color)
    out = big if ss == 1 else big.resize(size, PILImage.LANCZOS)
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


# -- what the editor returns ----------------------------------------------------------------------

class SVGText(str):
    """The SVG document of a network: a ``str`` that a notebook shows as the picture."""

    def _repr_svg_(self) -> str:
        # JupyterLab shows SVG as an <img> at its own size: a picture wider than an output
        # usually is gets no size of its own, so it fills the output's width (keeping its
        # shape, from the viewBox); a small one stays at its size
        m = re.match(r'<svg ([^>]*?)width="(\d+)" height="\d+"', self)
        if m and int(m.group(2)) > NOTEBOOK_WIDTH:
            return self[:m.start(2) - 7] + 'width="100%"' + self[m.end():]
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(f"<SVG picture of a network, {len(self):,} characters>")


class PNGBytes(bytes):
    """The PNG of a network: ``bytes`` that a notebook shows as the picture."""

    def _repr_png_(self) -> bytes:
        return bytes(self)

    def _repr_pretty_(self, p, cycle) -> None:
        w, h = int.from_bytes(self[16:20], "big"), int.from_bytes(self[20:24], "big")
        p.text(f"<PNG picture of a network, {w}×{h} pixels, {len(self):,} bytes>")

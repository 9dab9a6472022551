"""Saving and loading a card graph as JSON text: data only, checked entry by entry.

Loading never executes or imports anything named in the file: every card id must be in the
catalogue, every parameter value must pass its spec, every wire must join existing cards through
ports the catalogue allows. The first problem raises ``GraphFileError`` naming the offending entry,
and nothing is loaded.

Loading is bounded, so that a hostile file is refused quickly and in little memory: the text's
size, its nesting depth (measured before parsing) and the number of values it holds are limited,
as are the numbers of cards and wires, and every check is linear in the size of the file (wires
are checked against the cards they join and the wire already on their input port; cycles are
found once, at the end). Saved text is strict JSON (no NaN or infinity).
"""

from __future__ import annotations

import graphlib
import json
import math
import re

import numpy as np

from . import catalog
from .catalog import short_repr
from .errors import ConnectionRefused, GraphFileError
from .graph import CardData, Graph, WireData, check_wire, is_coordinate, name_problem

__all__ = ["FORMAT", "SCHEMA_VERSION", "dumps", "loads", "card_to_dict", "wire_to_dict",
           "card_from_dict", "wire_from_dict", "add_wires_checked", "MAX_TEXT_SIZE",
           "MAX_DEPTH", "MAX_VALUES", "MAX_CARDS", "MAX_WIRES"]

FORMAT = "nncards_widget.graph"
SCHEMA_VERSION = 1
#: Schema of a graph holding cards made in the kernel (custom layer classes, nested models):
#: their card ids name a registered Keras class or hold an inner graph, which schema 1 has not.
SCHEMA_KERNEL_CARDS = 2
#: Schemas ``loads`` reads.
SCHEMAS_READ = (SCHEMA_VERSION, SCHEMA_KERNEL_CARDS)

#: What a card's position is: its top-left corner (the canvas keeps it when the card grows).
#: A file without ``"positions": "top-left"`` was written when a position was the card's centre.
POSITIONS = "top-left"

#: Longest text (characters, or bytes for bytes) ``loads`` reads.
MAX_TEXT_SIZE = 50_000_000
#: Deepest nesting of lists and objects (a saved graph needs 5).
MAX_DEPTH = 32
#: Most values (numbers, strings, lists, objects, keys) in one file; about 40 per card are used.
MAX_VALUES = 2_000_000
MAX_CARDS = 20_000
MAX_WIRES = 100_000
#: Longer than any card id or Keras class name.
MAX_CARD_ID_LENGTH = 200

_WIRE_KEYS = ("id", "source", "source_port", "target", "target_port")


# -- saving ------------------------------------------------------------------------------------

def card_to_dict(card: CardData) -> dict:
    return {"uid": card.uid, "card_id": card.card_id, "name": card.name,
            "position": dict(card.position or {}), "params": dict(card.params)}


def wire_to_dict(wire: WireData) -> dict:
    return {"id": wire.id, "source": wire.source, "source_port": wire.source_port,
            "target": wire.target, "target_port": wire.target_port}


def dumps(graph: Graph, indent=1) -> str:
    """The graph as strict JSON text (``loads`` reads it back unchanged)."""
    cards = [card_to_dict(c) for c in graph.cards.values()]
    for c, card in zip(cards, graph.cards.values(), strict=True):  # preprocessing state
        c["params"] = catalog.state.saved_params(card, c["params"])
    for c in cards:
        for what, values in (("position", c["position"]), ("parameters", c["params"])):
            bad = {k: v for k, v in values.items() if not _finite(v)}
            if bad:
                raise GraphFileError(f"Cannot save card '{c['name']}': its {what} "
                                     f"{short_repr(bad)} are not finite numbers")
    schema = SCHEMA_VERSION
    for card in graph.cards.values():
        if card.card_id.startswith(catalog.KERNEL_CARD_PREFIXES):
            from . import custom

            problem = custom.saved_form_problem(card)
            if problem:
                raise GraphFileError(f"Cannot save card '{card.name}' ({card.spec.title}): "
                                     f"{problem}")
            schema = SCHEMA_KERNEL_CARDS
    return json.dumps({"format": FORMAT, "schema": schema, "positions": POSITIONS, "cards": cards,
                       "wires": [wire_to_dict(w) for w in graph.wires.values()]},
                      indent=indent, allow_nan=False)


def _finite(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    return True


# -- reading the text --------------------------------------------------------------------------

#: A JSON string, or an unterminated one up to the end of the text (possessive: linear time).
_STRING = re.compile(r'"(?:[^"\\]++|\\.?)*+"?', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_CHUNK = 1 << 20


def _text(source) -> str:
    """The text of a saved graph, from str or bytes (UTF-8), within the size limit."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = bytes(source)
        _check_size(len(source), "bytes")
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise GraphFileError(f"Not a saved graph: the text is not UTF-8 (byte "
                                 f"{source[exc.start]:#04x} at offset {exc.start})") from None
    if isinstance(source, str):
        _check_size(len(source), "characters")
        return source
    raise GraphFileError(f"Not a saved graph: expected its JSON text (str or bytes); received "
                         f"{type(source).__name__}")


def _check_size(size: int, unit: str) -> None:
    if size > MAX_TEXT_SIZE:
        raise GraphFileError(f"Not loaded: the text has {size:,} {unit}, more than the "
                             f"{MAX_TEXT_SIZE:,} a saved graph may have")


def _check_shape_of_text(text: str) -> None:
    """Refuse, before parsing, text nested deeper than MAX_DEPTH or holding more than
    MAX_VALUES values (either would cost the parser stack, time or memory)."""
    outside_strings = _STRING.sub("", text)
    skeleton = outside_strings.encode("ascii", "replace").translate(None, _NOT_BRACKETS)
    # Each key or value is the first of its document, list or object, or follows a ',' or ':'.
    values = (outside_strings.count(",") + outside_strings.count(":")
              + skeleton.count(b"[") + skeleton.count(b"{") + 1)
    del outside_strings
    if values > MAX_VALUES:
        raise GraphFileError(f"Not loaded: the text holds about {values:,} values, more than "
                             f"the {MAX_VALUES:,} a saved graph may have")
    codes = np.frombuffer(skeleton, dtype=np.uint8)
    depth = 0
    for start in range(0, codes.size, _CHUNK):
        chunk = codes[start:start + _CHUNK]
        running = depth + np.cumsum(np.where((chunk == 0x5B) | (chunk == 0x7B), 1, -1))
        if running.max() > MAX_DEPTH:
            raise GraphFileError(f"Not loaded: lists and objects are nested more than "
                                 f"{MAX_DEPTH} levels deep (a saved graph needs 5)")
        depth = int(running[-1])


def _parse(text: str):
    _check_shape_of_text(text)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except GraphFileError:
        raise
    except json.JSONDecodeError as exc:
        raise GraphFileError(f"Not a saved graph: invalid JSON ({exc})") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise GraphFileError(f"Not loaded: {exc}") from None
    except RecursionError:  # not expected after the depth check; never let it through
        raise GraphFileError("Not loaded: lists and objects are nested too deeply") from None


def _no_constant(name):
    raise GraphFileError(f"Not a saved graph: {name} is not a number in strict JSON")


# -- checking entries --------------------------------------------------------------------------

def _need(entry, key, types, where):
    if not isinstance(entry, dict) or key not in entry:
        raise GraphFileError(f"{where}: missing {key!r}")
    value = entry[key]
    if not isinstance(value, types):
        names = types.__name__ if isinstance(types, type) else "/".join(t.__name__ for t in types)
        raise GraphFileError(f"{where}: {key!r} must be a {names}; found {short_repr(value)}")
    return value


def _need_id(entry, key, where) -> str:
    """A uid or wire id: a non-empty string without surrounding blanks, valid Unicode."""
    value = _need(entry, key, str, where)
    if not value.strip() or value != value.strip():
        raise GraphFileError(f"{where}: {key!r} must be a non-empty string without surrounding "
                             f"spaces; found {short_repr(value)}")
    _need_unicode(value, key, where)
    return value


def _need_unicode(value: str, key, where) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise GraphFileError(f"{where}: {key!r} is not valid Unicode text (a lone surrogate "
                             f"escape); found {short_repr(value)}") from None


def _need_name(entry, where) -> str:
    """A card name, as the editor accepts it: one Keras can use (``graph.name_problem``)."""
    name = _need(entry, "name", str, where)
    _need_unicode(name, "name", where)
    problem = name_problem(name.strip() or name)
    if problem is None and name != name.strip():
        problem = f"no spaces around it; found {short_repr(name)}"
    if problem is not None:
        raise GraphFileError(f"{where}: 'name' must be a non-empty Keras layer name: {problem}")
    return name


def _quoted(name: str) -> str:
    """A card name in a message: ``'dense'``, shortened when long."""
    return "'" + (name if len(name) <= 60 else name[:57] + "...") + "'"


def _need_position(entry, where) -> dict:
    """``{}`` or absent (not placed yet), or ``{"x": number, "y": number}``, finite numbers."""
    position = entry.get("position")
    if position is None:
        return {}
    expected = "'position' must be {'x': number, 'y': number} with finite numbers"
    if not isinstance(position, dict):
        raise GraphFileError(f"{where}: {expected}; found {short_repr(position)}")
    if not position:
        return {}
    if set(position) != {"x", "y"}:
        raise GraphFileError(f"{where}: {expected}; found {short_repr(position)}")
    out = {}
    for axis in ("x", "y"):
        v = position[axis]
        if not is_coordinate(v):
            raise GraphFileError(f"{where}: {expected}; found {short_repr(position)}")
        out[axis] = float(v)  # as the editor holds positions
    return out


def _centres_to_corners(cards) -> None:
    """Positions of a file written when they were card centres, as top-left corners: less half
    the card's usual face (compact, with its shape footer), so the cards stay where they were."""
    from .geometry import layout_card

    for card in cards:
        if card.position:
            geom = layout_card(catalog.get(card.card_id), card.params, footer="(None, 1)")
            card.position = {"x": card.position["x"] - geom.width / 2,
                             "y": card.position["y"] - geom.height / 2}


def card_from_dict(entry, where="card") -> CardData:
    """A card entry of the file, checked against the catalogue."""
    if not isinstance(entry, dict):
        raise GraphFileError(f"{where}: expected an object; found {short_repr(entry)}")
    uid = _need_id(entry, "uid", where)
    card_id = _need(entry, "card_id", str, where)
    try:
        if len(card_id) > MAX_CARD_ID_LENGTH:  # no such card; spare the lookup's suggestions
            raise catalog.UnknownCardError(card_id)
        spec = catalog.get(card_id)
    except catalog.UnknownCardError as exc:
        if card_id.startswith(catalog.KERNEL_CARD_PREFIXES):  # a custom class not registered
            raise GraphFileError(f"{where} ({short_repr(uid)}): {exc}") from None
        raise GraphFileError(f"{where} ({short_repr(uid)}): unknown card id "
                             f"{short_repr(card_id)}") from None
    name = _need_name(entry, where)
    where = f"{where} {_quoted(name)} ({spec.title})"
    params_in = entry.get("params", {})
    if not isinstance(params_in, dict):
        raise GraphFileError(f"{where}: 'params' must be an object; found "
                             f"{short_repr(params_in)}")
    params = {}
    known = {p.name: p for p in spec.params}
    for p in spec.params:  # deprecated Keras names (LeakyReLU's alpha) load as the current one
        for alias in p.aliases:
            known.setdefault(alias, p)
    for key, value in params_in.items():
        if key not in known:
            raise GraphFileError(f"{where}: unknown parameter {short_repr(key)}")
        if known[key].name != key and known[key].name in params_in:
            raise GraphFileError(f"{where}: parameter {short_repr(key)} is an old name of "
                                 f"'{known[key].name}', which is also given")
        try:
            params[known[key].name] = known[key].coerce(value)
        except ValueError as exc:
            raise GraphFileError(f"{where}: parameter '{known[key].label}' ({key}): "
                                 f"{exc}") from None
    position = _need_position(entry, where)
    return CardData(uid=uid, card_id=spec.id, name=name, params=params, position=position)


def wire_from_dict(entry, where="wire") -> WireData:
    if not isinstance(entry, dict):
        raise GraphFileError(f"{where}: expected an object; found {short_repr(entry)}")
    values = {k: _need_id(entry, k, where) for k in _WIRE_KEYS}
    return WireData(**values)


def add_wires_checked(graph: Graph, wires) -> None:
    """Add ``wires`` to ``graph`` after checking every one by the connection rules.

    Linear in the number of wires: each wire is judged by ``check_wire`` on a small graph of the
    cards it joins and the wire already on its input port (if any), and cycles are looked for
    once, over the whole graph. On a refusal (GraphFileError naming the wire) ``graph`` is left
    unchanged.
    """
    wires = list(wires)
    taken = {}  # (target, port) -> a wire on that input port: of the graph, or earlier in the file
    ids = set()
    checked = []
    for i, w in enumerate(wires):
        where = f"wire #{i} ({short_repr(w.id)})"
        if w.id in graph.wires or w.id in ids:
            raise GraphFileError(f"{where}: duplicate wire id {short_repr(w.id)}")
        if w.id in graph.cards:
            raise GraphFileError(f"{where}: wire id {short_repr(w.id)} is also the uid of a card")
        ids.add(w.id)
        for end in ("source", "target"):
            uid = getattr(w, end)
            if uid not in graph.cards:
                raise GraphFileError(f"{where}: its {end} {short_repr(uid)} is not a card of "
                                     f"the graph")
        try:
            out, inp = check_wire(_local_graph(graph, w, taken), w.source, w.source_port,
                                  w.target, w.target_port)
        except ConnectionRefused as exc:
            raise GraphFileError(f"{where}: {exc}") from None
        w = WireData(w.id, w.source, out.name, w.target, inp.name)
        taken.setdefault((w.target, w.target_port), w)
        checked.append(w)
    _check_no_cycle(graph, checked)
    for w, original in zip(checked, wires, strict=True):
        original.source_port, original.target_port = w.source_port, w.target_port
        graph.add_wire(original)


def _local_graph(graph: Graph, wire: WireData, taken: dict) -> Graph:
    """The cards a new wire joins, with the wire already on its target port (if any): all
    ``check_wire`` needs to judge it, except cycles (``_check_no_cycle`` finds those)."""
    local = Graph()
    uids = {wire.source, wire.target}
    spec = graph.cards[wire.target].spec
    try:
        port = spec.input(wire.target_port).name
    except KeyError:
        port = None  # check_wire names the missing port
    first = None
    if port is not None:
        key = (wire.target, port)
        if key not in taken:
            on_port = graph.wires_at(wire.target, port)  # once per port: O(its wires)
            if on_port:
                taken[key] = on_port[0]
        first = taken.get(key)
        if first is not None:
            uids.add(first.source)
    local.cards.update((uid, graph.cards[uid]) for uid in uids)
    if first is not None:
        local.add_wire(first.copy())
    return local


def _check_no_cycle(graph: Graph, new_wires) -> None:
    sorter = graphlib.TopologicalSorter()
    for uid in graph.cards:
        sorter.add(uid)
    for w in list(graph.wires.values()) + list(new_wires):
        sorter.add(w.target, w.source)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        shown = " -> ".join(graph.card_label(u) for u in cycle[:6])
        if len(cycle) > 6:
            shown += f" -> ... ({len(cycle) - 1} cards)"
        raise GraphFileError(f"The wires make a cycle (a card would depend on itself): "
                             f"{shown}") from None


# -- loading -------------------------------------------------------------------------------------

def loads(source) -> Graph:
    """Parse and check a saved graph (JSON text as str or UTF-8 bytes, or the parsed document).

    Raises GraphFileError naming the first problem; never partially loads.
    """
    doc = source if isinstance(source, dict) else _parse(_text(source))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise GraphFileError(f"Not a saved nncards_widget graph: expected \"format\": \"{FORMAT}\"")
    schema = doc.get("schema")
    if schema not in SCHEMAS_READ or isinstance(schema, bool):
        raise GraphFileError(f"Unsupported schema version {short_repr(schema)}: this "
                             f"nncards_widget reads schemas "
                             f"{', '.join(map(str, SCHEMAS_READ))}")
    cards_in, wires_in = doc.get("cards"), doc.get("wires", [])
    if not isinstance(cards_in, list) or not isinstance(wires_in, list):
        raise GraphFileError("A saved graph needs a list of 'cards' and a list of 'wires'")
    for what, entries, limit in (("cards", cards_in, MAX_CARDS), ("wires", wires_in, MAX_WIRES)):
        if len(entries) > limit:
            raise GraphFileError(f"Not loaded: the graph has {len(entries):,} {what}, more than "
                                 f"the {limit:,} a saved graph may have")
    cards = {}
    for i, entry in enumerate(cards_in):
        card = card_from_dict(entry, where=f"card #{i}")
        if card.uid in cards:
            raise GraphFileError(f"card #{i}: duplicate uid {short_repr(card.uid)}")
        cards[card.uid] = card
    if doc.get("positions") != POSITIONS:
        _centres_to_corners(cards.values())
    graph = Graph(cards=cards)
    add_wires_checked(graph, [wire_from_dict(e, where=f"wire #{i}")
                              for i, e in enumerate(wires_in)])
    return graph

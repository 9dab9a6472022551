"""Saving and loading a card graph as JSON text: data only, checked entry by entry.

Loading never executes anything from the file: every card id must be in the catalogue, every
parameter value must pass its spec, every wire must join existing cards through ports the
catalogue allows. The first problem raises ``GraphFileError`` naming the offending entry.
"""

from __future__ import annotations

import json

from . import catalog
from .errors import ConnectionRefused, GraphFileError
from .graph import CardData, GraphData, WireData, check_wire

__all__ = ["FORMAT", "SCHEMA_VERSION", "dumps", "loads", "card_to_dict", "wire_to_dict",
           "card_from_dict", "wire_from_dict"]

FORMAT = "nncards_widget.graph"
SCHEMA_VERSION = 1


def card_to_dict(card: CardData) -> dict:
    return {"uid": card.uid, "card_id": card.card_id, "name": card.name,
            "position": dict(card.position or {}), "params": dict(card.params)}


def wire_to_dict(wire: WireData) -> dict:
    return {"id": wire.id, "source": wire.source, "source_port": wire.source_port,
            "target": wire.target, "target_port": wire.target_port}


def dumps(graph: GraphData, indent=1) -> str:
    return json.dumps({"format": FORMAT, "schema": SCHEMA_VERSION,
                       "cards": [card_to_dict(c) for c in graph.cards.values()],
                       "wires": [wire_to_dict(w) for w in graph.wires.values()]}, indent=indent)


def _need(entry, key, types, where):
    if not isinstance(entry, dict) or key not in entry:
        raise GraphFileError(f"{where}: missing {key!r}")
    value = entry[key]
    if not isinstance(value, types):
        names = types.__name__ if isinstance(types, type) else "/".join(t.__name__ for t in types)
        raise GraphFileError(f"{where}: {key!r} must be a {names}; found {value!r}")
    return value


def card_from_dict(entry, where="card") -> CardData:
    """A card entry of the file, checked against the catalogue."""
    if not isinstance(entry, dict):
        raise GraphFileError(f"{where}: expected an object; found {entry!r}")
    uid = _need(entry, "uid", str, where)
    card_id = _need(entry, "card_id", str, where)
    try:
        spec = catalog.get(card_id)
    except catalog.UnknownCardError:
        raise GraphFileError(f"{where} ({uid}): unknown card id {card_id!r}") from None
    name = _need(entry, "name", str, where)
    where = f"{where} '{name}' ({spec.title})"
    params_in = entry.get("params", {})
    if not isinstance(params_in, dict):
        raise GraphFileError(f"{where}: 'params' must be an object; found {params_in!r}")
    params = {}
    known = {p.name: p for p in spec.params}
    for key, value in params_in.items():
        if key not in known:
            raise GraphFileError(f"{where}: unknown parameter {key!r}")
        try:
            params[key] = known[key].coerce(value)
        except ValueError as exc:
            raise GraphFileError(f"{where}: parameter '{known[key].label}' ({key}): {exc}") from None
    position = entry.get("position") or {}
    if not isinstance(position, dict) or any(
            k not in ("x", "y") or isinstance(v, bool) or not isinstance(v, (int, float))
            for k, v in position.items()):
        raise GraphFileError(f"{where}: 'position' must be {{'x': number, 'y': number}}; "
                             f"found {position!r}")
    return CardData(uid=uid, card_id=spec.id, name=name, params=params, position=position)


def wire_from_dict(entry, where="wire") -> WireData:
    if not isinstance(entry, dict):
        raise GraphFileError(f"{where}: expected an object; found {entry!r}")
    values = {k: _need(entry, k, str, where)
              for k in ("id", "source", "source_port", "target", "target_port")}
    return WireData(**values)


def add_wires_checked(graph: GraphData, wires) -> None:
    """Append wires to ``graph`` one by one, each checked by the connection rules."""
    for i, w in enumerate(wires):
        where = f"wire #{i} ({w.id})"
        for end in ("source", "target"):
            uid = getattr(w, end)
            if uid not in graph.cards:
                raise GraphFileError(f"{where}: its {end} {uid!r} is not a card of the graph")
        if w.id in graph.wires:
            raise GraphFileError(f"{where}: duplicate wire id {w.id!r}")
        try:
            out, inp = check_wire(graph, w.source, w.source_port, w.target, w.target_port)
        except ConnectionRefused as exc:
            raise GraphFileError(f"{where}: {exc}") from None
        w.source_port, w.target_port = out.name, inp.name
        graph.add_wire(w)


def loads(text) -> GraphData:
    """Parse and check a saved graph; raises GraphFileError, never partially loads."""
    try:
        doc = json.loads(text) if isinstance(text, (str, bytes, bytearray)) else text
    except json.JSONDecodeError as exc:
        raise GraphFileError(f"Not a saved graph: invalid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise GraphFileError(f"Not a saved nncards_widget graph: expected \"format\": \"{FORMAT}\"")
    schema = doc.get("schema")
    if schema != SCHEMA_VERSION:
        raise GraphFileError(f"Unsupported schema version {schema!r}: this nncards_widget reads "
                             f"schema {SCHEMA_VERSION}")
    cards_in, wires_in = doc.get("cards"), doc.get("wires", [])
    if not isinstance(cards_in, list) or not isinstance(wires_in, list):
        raise GraphFileError("A saved graph needs a list of 'cards' and a list of 'wires'")
    graph = GraphData()
    for i, entry in enumerate(cards_in):
        card = card_from_dict(entry, where=f"card #{i}")
        if card.uid in graph.cards:
            raise GraphFileError(f"card #{i}: duplicate uid {card.uid!r}")
        graph.cards[card.uid] = card
    add_wires_checked(graph, [wire_from_dict(e, where=f"wire #{i}") for i, e in enumerate(wires_in)])
    return graph

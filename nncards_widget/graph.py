"""The card graph as plain data, and the rules a wire must follow.

``Graph`` is the one model of a network that the editor, the builder, live shapes, inspection,
serialization and the undo history read: cards by uid, wires by id, adjacency indices (so the
wires at a card cost O(its degree)), a ``version`` that bumps on every change, and change events.
It holds no widgets and imports no Keras; the editor's Card and Wire widgets are its projection
onto the canvas.

The rules (``check_wire``, ``default_ports``, ``used_only_as_layer``) are defined here once.
"""

from __future__ import annotations

import copy
import graphlib
import math
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from . import catalog
from .catalog import LAYER, TENSOR, port_short, short_repr
from .errors import ConnectionRefused

__all__ = ["CardData", "WireData", "Graph", "GraphData", "GraphEvent", "check_wire",
           "default_ports", "port_short", "used_only_as_layer", "new_id", "name_problem"]

#: A card name Keras (and TensorFlow's name scopes) can use for a layer or an input.
_KERAS_NAME = re.compile(r"[A-Za-z0-9.][A-Za-z0-9_.-]*")


def is_coordinate(value) -> bool:
    """A card position's x or y: a finite number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def name_problem(name) -> str | None:
    """Why ``name`` cannot name a card (None when it can). A card's name is its Keras layer's
    name, so it must be one Keras and TensorFlow accept: letters, digits, '_', '.', '-', not
    starting with '_' or '-' (no spaces, no '/')."""
    if not isinstance(name, str) or not name:
        return f"expected a non-empty string; received {catalog.short_repr(name)}"
    if _KERAS_NAME.fullmatch(name):
        return None
    hint = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_-") or "layer"
    if not _KERAS_NAME.match(hint):
        hint = "layer_" + hint
    return (f"a Keras layer name holds only letters, digits, '_', '.' and '-', without '/' "
            f"or spaces, and starts with a letter, digit or '.'; received "
            f"{catalog.short_repr(name)} (try {hint!r})")


def new_id(prefix: str, *taken) -> str:
    """A fresh card uid or wire id, ``"card-3f9a1c2e"``: random (uuid4), so ids made in different
    kernels or sessions do not meet and a loaded graph can always be extended; never a key of
    the containers ``taken``."""
    while True:
        ident = f"{prefix}-{uuid.uuid4().hex[:8]}"
        if not any(ident in t for t in taken):
            return ident


@dataclass
class CardData:
    uid: str
    card_id: str
    name: str
    params: dict = field(default_factory=dict)
    position: dict = field(default_factory=dict)

    @property
    def spec(self) -> catalog.CardSpec:
        return catalog.get(self.card_id)

    def copy(self) -> "CardData":
        """An independent copy (parameter values and position included)."""
        return CardData(self.uid, self.card_id, self.name, copy.deepcopy(self.params),
                        dict(self.position or {}))


@dataclass
class WireData:
    id: str
    source: str
    source_port: str
    target: str
    target_port: str

    def copy(self) -> "WireData":
        return WireData(self.id, self.source, self.source_port, self.target, self.target_port)


#: What a ``GraphEvent`` can say.
EVENT_KINDS = ("add", "remove", "connect", "disconnect", "param", "move")


@dataclass
class GraphEvent:
    """One change of a ``Graph``.

    ``add`` / ``remove``: ``uid`` and ``new`` / ``old`` = a copy of the card's ``CardData``;
    ``connect`` / ``disconnect``: ``wire``; ``param``: ``uid``, ``name`` (a parameter or
    ``"name"``), ``old``, ``new``; ``move``: ``uid``, ``old`` / ``new`` positions.
    ``index``: for add / remove / connect / disconnect, the place of the card (wire) in the
    graph's order, so that undo puts it back where it was.
    """

    kind: str
    uid: str | None = None
    wire: WireData | None = None
    name: str | None = None
    old: Any = None
    new: Any = None
    index: int | None = None


def _a(noun: str) -> str:
    """``"an Initializer"``, ``"a Tensor"``."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


class Graph:
    """Cards and wires of one network, with adjacency indices and change events.

    >>> g = Graph()
    >>> g.add_card(CardData("a", "input", "x", {"shape": [3]}))
    >>> g.add_card(CardData("b", "layer_Dense", "dense", {"units": 2}))
    >>> g.add_wire(WireData("w1", "a", "data", "b", "input"))
    >>> g.topological_order()
    ['a', 'b']

    Mutations do not check the wiring rules (``check_wire`` does, before the editor calls
    them); they only keep the graph consistent: a wire joins two cards of the graph, a card is
    removed together with its wires.
    """

    def __init__(self, cards=None, wires=None):
        self.cards: dict[str, CardData] = {}
        self.wires: dict[str, WireData] = {}
        self.version = 0
        self._rank: dict[str, int] = {}  # uid -> a number increasing along the card order
        self._into: dict[str, dict[str, WireData]] = {}  # uid -> {wire id: wire}, wire order
        self._from: dict[str, dict[str, WireData]] = {}
        self._listeners: list = []
        for card in (cards.values() if isinstance(cards, dict) else cards or ()):
            self.add_card(card)
        for wire in (wires.values() if isinstance(wires, dict) else wires or ()):
            self.add_wire(wire)

    def __repr__(self):
        return f"<Graph: {len(self.cards)} cards, {len(self.wires)} wires, version {self.version}>"

    # -- reading -----------------------------------------------------------------------------
    def card_label(self, uid: str) -> str:
        """``'dense' (Dense layer)`` -- how messages name a card."""
        c = self.cards.get(uid)
        return f"'{c.name}' ({c.spec.title})" if c else repr(uid)

    def wires_into(self, uid: str) -> list:
        return list(self._into.get(uid, {}).values())

    def wires_from(self, uid: str) -> list:
        return list(self._from.get(uid, {}).values())

    def wires_at(self, uid: str, port: str) -> list:
        """The wires into one input port of a card, in wire order."""
        return [w for w in self._into.get(uid, {}).values() if w.target_port == port]

    def upstream(self, uid: str) -> set:
        """uids of every card with a path to ``uid`` (including itself)."""
        return self._reach([uid], self._into, "source")

    def downstream(self, uids) -> set:
        """uids reachable from any of ``uids`` (including them)."""
        return self._reach(uids, self._from, "target")

    def _reach(self, starts, index, end) -> set:
        seen = set(starts)
        todo = list(seen)
        while todo:
            for w in index.get(todo.pop(), {}).values():
                nxt = getattr(w, end)
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def topological_order(self, uids=None) -> list:
        """Card uids (all, or the subset ``uids``) so that every wire between them goes forward.

        Deterministic: among cards that are ready together, the one added first comes first.
        """
        rank = self._rank
        if uids is None:
            keep, members = self.cards.keys(), list(self.cards)
        else:  # O(len(uids)), however large the graph
            keep = {u for u in uids if u in self.cards}
            members = sorted(keep, key=rank.__getitem__)
        sorter = graphlib.TopologicalSorter()
        for uid in members:
            sorter.add(uid, *(w.source for w in self._into.get(uid, {}).values()
                              if w.source in keep))
        sorter.prepare()
        order = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready(), key=rank.__getitem__)
            order.extend(ready)
            sorter.done(*ready)
        return order

    def copy(self) -> "Graph":
        """An independent copy (no listeners), e.g. to try changes before making them."""
        g = Graph()
        g.cards = {u: c.copy() for u, c in self.cards.items()}
        g._rank = dict(self._rank)
        g.wires = {i: w.copy() for i, w in self.wires.items()}
        for w in g.wires.values():
            g._index(w)
        g.version = self.version
        return g

    # -- events --------------------------------------------------------------------------------
    def on_change(self, callback: Callable[[GraphEvent], None]) -> None:
        """Call ``callback(event)`` after each change, in the order the callbacks were given."""
        self._listeners.append(callback)

    def remove_listener(self, callback) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _emit(self, event: GraphEvent) -> None:
        self.version += 1
        for cb in list(self._listeners):
            cb(event)

    # -- changing ----------------------------------------------------------------------------
    def add_card(self, card: CardData, index: int | None = None) -> None:
        """Add a card (at the end of the order, or at ``index``)."""
        if card.uid in self.cards:
            raise ValueError(f"A card with uid {card.uid!r} is already in the graph")
        at_end = index is None or index >= len(self.cards)
        self.cards = _put(self.cards, card.uid, card, index)
        if at_end:
            self._rank[card.uid] = self._rank[next(reversed(self._rank))] + 1 if self._rank else 0
        else:  # an insertion (undo of a removal): number the order anew
            self._rank = {uid: i for i, uid in enumerate(self.cards)}
        self._into.setdefault(card.uid, {})
        self._from.setdefault(card.uid, {})
        where = len(self.cards) - 1 if index is None else min(index, len(self.cards) - 1)
        self._emit(GraphEvent("add", uid=card.uid, new=card.copy(), index=where))

    def remove_card(self, uid: str) -> None:
        """Remove a card and, first, every wire at it (one ``disconnect`` event per wire)."""
        card = self._card(uid)
        for w in self.wires_into(uid) + self.wires_from(uid):
            if w.id in self.wires:
                self.remove_wire(w.id)
        index = _position(self.cards, uid)
        del self.cards[uid]
        self._rank.pop(uid, None)
        self._into.pop(uid, None)
        self._from.pop(uid, None)
        self._emit(GraphEvent("remove", uid=uid, old=card.copy(), index=index))

    def add_wire(self, wire: WireData, index: int | None = None) -> None:
        """Add a wire (at the end of the order, or at ``index``: wire order is the order of the
        tensors on a port that takes several)."""
        if wire.id in self.wires:
            raise ValueError(f"A wire with id {wire.id!r} is already in the graph")
        for end in (wire.source, wire.target):
            self._card(end)
        self.wires = _put(self.wires, wire.id, wire, index)
        if index is None or index >= len(self.wires) - 1:
            self._index(wire)
        else:  # re-index both ends in the new wire order
            for end, table in ((wire.target, self._into), (wire.source, self._from)):
                attr = "target" if table is self._into else "source"
                table[end] = {w.id: w for w in self.wires.values() if getattr(w, attr) == end}
        where = len(self.wires) - 1 if index is None else min(index, len(self.wires) - 1)
        self._emit(GraphEvent("connect", uid=wire.target, wire=wire.copy(), index=where))

    def _index(self, wire: WireData) -> None:
        self._into.setdefault(wire.target, {})[wire.id] = wire
        self._from.setdefault(wire.source, {})[wire.id] = wire

    def remove_wire(self, wid: str) -> None:
        if wid not in self.wires:
            raise KeyError(f"No wire {wid!r} in the graph")
        index = _position(self.wires, wid)
        wire = self.wires.pop(wid)
        self._into.get(wire.target, {}).pop(wid, None)
        self._from.get(wire.source, {}).pop(wid, None)
        self._emit(GraphEvent("disconnect", uid=wire.target, wire=wire.copy(), index=index))

    def set_param(self, uid: str, name: str, value) -> None:
        """Set a parameter (or, with ``name == "name"``, the card's name); no event when equal."""
        card = self._card(uid)
        old = card.name if name == "name" else card.params.get(name)
        if _same(old, value):
            return
        if name == "name":
            card.name = value
            if "name" in card.params:  # Input / Output cards list their name as a parameter
                card.params["name"] = value
        else:
            card.params[name] = value
        self._emit(GraphEvent("param", uid=uid, name=name, old=copy.deepcopy(old),
                              new=copy.deepcopy(value)))

    def move(self, uid: str, position: dict) -> None:
        """Set a card's position ``{"x", "y"}``; the dict itself is kept (no event when equal)."""
        card = self._card(uid)
        old = card.position
        if _same(old, position):
            card.position = position
            return
        card.position = position
        self._emit(GraphEvent("move", uid=uid, old=dict(old or {}), new=dict(position or {})))

    def _card(self, uid: str) -> CardData:
        try:
            return self.cards[uid]
        except KeyError:
            raise KeyError(f"No card {uid!r} in the graph") from None


#: Old name of ``Graph`` (a snapshot of cards and wires), kept for existing imports.
GraphData = Graph


def _put(table: dict, key, value, index) -> dict:
    """``table`` with ``key: value`` added at the end (same dict) or at ``index`` (a new dict)."""
    if index is None or index >= len(table):
        table[key] = value
        return table
    items = list(table.items())
    items.insert(max(index, 0), (key, value))
    return dict(items)


def _position(table: dict, key) -> int:
    """Where ``key`` is in ``table``'s order (the last key is found at once)."""
    if table and next(reversed(table)) == key:
        return len(table) - 1
    for i, k in enumerate(table):
        if k == key:
            return i
    raise KeyError(key)


def _same(a, b) -> bool:
    """Equal values of the same kinds (``1 == 1.0 == True`` are not the same parameter value)."""
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:
        return False


# -- rules --------------------------------------------------------------------------------------

def used_only_as_layer(graph: Graph, uid: str) -> bool:
    """True for a card whose only outgoing wires carry its Layer instance (into a wrapper's
    Layer port): Keras calls it inside the wrapper, so it takes no tensor of its own."""
    outs = graph.wires_from(uid)
    if not outs:
        return False
    spec = graph.cards[uid].spec
    return all(spec.output(w.source_port).type == LAYER for w in outs)


def check_wire(graph: Graph, source: str, source_port: str, target: str, target_port: str):
    """Resolve port names (label or Python name) and check a new wire against the rules.

    Returns ``(source_output_spec, target_input_spec)``; raises ConnectionRefused naming both
    cards and ports when the wire is not allowed.
    """
    if source not in graph.cards:
        raise ConnectionRefused(f"Cannot connect: no card {short_repr(source)} in this editor")
    if target not in graph.cards:
        raise ConnectionRefused(f"Cannot connect: no card {short_repr(target)} in this editor")
    src, dst = graph.cards[source], graph.cards[target]
    src_label, dst_label = graph.card_label(source), graph.card_label(target)
    try:
        out = src.spec.output(source_port)
    except KeyError:
        names = ", ".join(repr(o.label) for o in src.spec.outputs) or "none"
        raise ConnectionRefused(f"Cannot connect from {src_label}: it has no output "
                                f"{short_repr(source_port)} (its outputs: {names})") from None
    try:
        inp = dst.spec.input(target_port)
    except KeyError:
        names = ", ".join(repr(i.label) for i in dst.spec.ports) or "none"
        raise ConnectionRefused(f"Cannot connect to {dst_label}: it has no input port "
                                f"{short_repr(target_port)} (its ports: {names})") from None
    what = f"Cannot connect {src_label} '{out.label}' to {dst_label} '{inp.label}'"
    if inp.is_param:
        raise ConnectionRefused(f"{what}: '{inp.label}' is a parameter set on the card "
                                f"({inp.type}), not a port that takes a wire")
    if out.type != inp.type:
        raise ConnectionRefused(f"{what}: the output is {_a(port_short(out.type))} and the input "
                                f"takes {_a(port_short(inp.type))}")
    if source == target:
        raise ConnectionRefused(f"{what}: a card cannot feed itself")
    taken = graph.wires_at(target, inp.name)
    if taken and not (inp.type == TENSOR and inp.multiplicity == "n"):
        raise ConnectionRefused(f"{what}: '{inp.label}' already has a wire (from "
                                f"{graph.card_label(taken[0].source)}); an input takes one wire "
                                f"— remove that wire first")
    if source in graph.downstream([target]):
        raise ConnectionRefused(f"{what}: the wire would close a cycle ({src_label} already "
                                f"depends on {dst_label})")
    return out, inp


def _is_free(graph: Graph, target: str, inp) -> bool:
    return inp.multiplicity == "n" or not graph.wires_at(target, inp.name)


def default_ports(graph: Graph, source: str, target: str, source_port: str | None = None,
                  target_port: str | None = None) -> tuple:
    """The ports of a wire from ``source`` to ``target`` when one or both are not named.

    Without a source port: the output whose type the named target port takes, else the first
    Tensor output (else the first output). Without a target port: the first free input of
    ``target`` that takes the source port's type. Named ports are returned as given (``check_wire``
    judges them); refuses with ConnectionRefused when no port fits.
    """
    for uid in (source, target):
        if uid not in graph.cards:
            raise ConnectionRefused(f"Cannot connect: no card {short_repr(uid)} in this editor")
    src, dst = graph.cards[source].spec, graph.cards[target].spec
    if source_port is None:
        outs = src.outputs
        if not outs:
            raise ConnectionRefused(f"Cannot connect from {graph.card_label(source)}: it has no "
                                    f"outputs")
        want = None
        if target_port is not None:
            try:
                want = dst.input(target_port).type
            except KeyError:
                pass
        out = (next((o for o in outs if o.type == want), None)
               or next((o for o in outs if o.type == TENSOR), outs[0]))
        source_port = out.name
    if target_port is not None:
        return source_port, target_port
    try:
        out = src.output(source_port)
    except KeyError:
        return source_port, ""  # check_wire names the missing output
    kinds = [i for i in dst.ports if i.type == out.type]
    for inp in kinds:
        if _is_free(graph, target, inp):
            return out.name, inp.name
    what = f"Cannot connect {graph.card_label(source)} '{out.label}' to {graph.card_label(target)}"
    if kinds:
        raise ConnectionRefused(f"{what}: every {port_short(out.type)} input is taken "
                                f"({', '.join(repr(i.label) for i in kinds)})")
    raise ConnectionRefused(f"{what}: it has no {port_short(out.type)} input (its ports: "
                            f"{', '.join(repr(i.label) for i in dst.ports) or 'none'})")

"""The card graph as plain data, and the rules a wire must follow.

This is what the builder, serialization and live shapes read: ``CardData`` and ``WireData``
snapshots, independent of the widgets that hold them on the canvas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import catalog
from .errors import ConnectionRefused

__all__ = ["CardData", "WireData", "GraphData", "check_wire", "default_ports", "port_short"]


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


@dataclass
class WireData:
    id: str
    source: str
    source_port: str
    target: str
    target_port: str


def _a(noun: str) -> str:
    """``"an Initializer"``, ``"a Tensor"``."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def port_short(type_: str) -> str:
    """``NeuralNetworkTensor`` -> ``Tensor`` (for messages)."""
    return type_.replace("NeuralNetwork", "")


@dataclass
class GraphData:
    """A snapshot of the graph: cards by uid, wires in order."""

    cards: dict = field(default_factory=dict)  # uid -> CardData
    wires: list = field(default_factory=list)  # WireData

    def card_label(self, uid: str) -> str:
        c = self.cards.get(uid)
        return f"'{c.name}' ({c.spec.title})" if c else repr(uid)

    def wires_into(self, uid: str) -> list:
        return [w for w in self.wires if w.target == uid]

    def wires_from(self, uid: str) -> list:
        return [w for w in self.wires if w.source == uid]

    def upstream(self, uid: str) -> set:
        """uids of every card with a path to ``uid`` (including itself)."""
        return _reach([uid], ((w.target, w.source) for w in self.wires))

    def downstream(self, uids) -> set:
        """uids reachable from any of ``uids`` (including them)."""
        return _reach(uids, ((w.source, w.target) for w in self.wires))

    def topological_order(self) -> list:
        """Card uids so that every wire goes forward (cards keep insertion order otherwise)."""
        indeg = {uid: 0 for uid in self.cards}
        out: dict = {}
        for w in self.wires:
            indeg[w.target] += 1
            out.setdefault(w.source, []).append(w.target)
        ready = [u for u in self.cards if indeg[u] == 0]
        order = []
        while ready:
            u = ready.pop(0)
            order.append(u)
            for t in out.get(u, ()):
                indeg[t] -= 1
                if indeg[t] == 0:
                    ready.append(t)
        return order


def _reach(starts, edges) -> set:
    """Every node reachable from ``starts`` along ``(from, to)`` edges, ``starts`` included."""
    step: dict = {}
    for a, b in edges:
        step.setdefault(a, []).append(b)
    seen, todo = set(starts), list(starts)
    while todo:
        for nxt in step.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def check_wire(graph: GraphData, source: str, source_port: str, target: str, target_port: str):
    """Resolve port names (label or Python name) and check a new wire against the rules.

    Returns ``(source_output_spec, target_input_spec)``; raises ConnectionRefused naming both
    cards and ports when the wire is not allowed.
    """
    if source not in graph.cards:
        raise ConnectionRefused(f"Cannot connect: no card {source!r} in this editor")
    if target not in graph.cards:
        raise ConnectionRefused(f"Cannot connect: no card {target!r} in this editor")
    src, dst = graph.cards[source], graph.cards[target]
    src_label, dst_label = graph.card_label(source), graph.card_label(target)
    try:
        out = src.spec.output(source_port)
    except KeyError:
        names = ", ".join(repr(o.label) for o in src.spec.outputs) or "none"
        raise ConnectionRefused(f"Cannot connect from {src_label}: it has no output "
                                f"{source_port!r} (its outputs: {names})") from None
    try:
        inp = dst.spec.input(target_port)
    except KeyError:
        names = ", ".join(repr(i.label) for i in dst.spec.ports) or "none"
        raise ConnectionRefused(f"Cannot connect to {dst_label}: it has no input port "
                                f"{target_port!r} (its ports: {names})") from None
    what = f"Cannot connect {src_label} '{out.label}' to {dst_label} '{inp.label}'"
    if inp.is_param:
        raise ConnectionRefused(f"{what}: '{inp.label}' is a parameter set on the card "
                                f"({inp.type}), not a port that takes a wire")
    if out.type != inp.type:
        raise ConnectionRefused(f"{what}: the output is {_a(port_short(out.type))} and the input "
                                f"takes {_a(port_short(inp.type))}")
    if source == target:
        raise ConnectionRefused(f"{what}: a card cannot feed itself")
    for w in graph.wires:
        if w.target == target and w.target_port == inp.name:
            raise ConnectionRefused(f"{what}: '{inp.label}' already has a wire (from "
                                    f"{graph.card_label(w.source)}); an input takes one wire — "
                                    f"remove that wire first")
    if source in graph.downstream([target]):
        raise ConnectionRefused(f"{what}: the wire would close a cycle ({src_label} already "
                                f"depends on {dst_label})")
    return out, inp


def default_ports(graph: GraphData, source: str, target: str) -> tuple:
    """Ports for ``connect(a, b)`` without port names: the first Tensor output of ``a`` (else its
    first output) into the first free input of ``b`` that takes that type."""
    src, dst = graph.cards[source], graph.cards[target]
    outs = src.spec.outputs
    if not outs:
        raise ConnectionRefused(f"Cannot connect from {graph.card_label(source)}: it has no outputs")
    out = next((o for o in outs if o.type == "NeuralNetworkTensor"), outs[0])
    taken = {w.target_port for w in graph.wires if w.target == target}
    for inp in dst.spec.ports:
        if inp.type == out.type and inp.name not in taken:
            return out.name, inp.name
    kinds = [i for i in dst.spec.ports if i.type == out.type]
    if kinds:
        raise ConnectionRefused(
            f"Cannot connect {graph.card_label(source)} '{out.label}' to "
            f"{graph.card_label(target)}: every {port_short(out.type)} input is taken "
            f"({', '.join(repr(i.label) for i in kinds)})")
    raise ConnectionRefused(
        f"Cannot connect {graph.card_label(source)} '{out.label}' to {graph.card_label(target)}: "
        f"it has no {port_short(out.type)} input (its ports: "
        f"{', '.join(repr(i.label) for i in dst.spec.ports) or 'none'})")

"""``NetworkEditor``: the one public face — a graph of cards on a canvas that builds a Keras model."""

from __future__ import annotations

import contextlib
import functools
import weakref

import ipycytoscape
from traitlets import Int, List, TraitError, Unicode

from . import catalog, serialization
from ._after_cell import running_loop
from ._frontend import MODULE_NAME, MODULE_VERSION
from .cards import Card, PortRef, Wire, card_class
from .errors import ConnectionRefused, GraphFileError, NNCardsError
from .graph import CardData, GraphData, check_wire, default_ports
from .inspection import Inspector
from .shapes import LiveShapes

__all__ = ["NetworkEditor"]

# Rough card footprint on the canvas, for placing new cards without overlap.
CARD_WIDTH = 240
ROW_HEIGHT = 20
HEADER_HEIGHT = 34
PREVIEW_HEIGHT = 84  # js/src/geometry.ts CARD.previewHeight
GAP = 50
COLUMNS = 5


def _without_front_end(widget) -> bool:
    """True when no view can ever receive this widget's state (its comm is a ``DummyComm``)."""
    return type(widget.comm).__name__ == "DummyComm"


def card_height(spec: catalog.CardSpec) -> float:
    return _card_height(spec.id)


@functools.lru_cache(maxsize=None)
def _card_height(card_id: str) -> float:
    spec = catalog.get(card_id)
    # The view draws output rows above input rows, plus a header and a shape footer, and for
    # cards with a Tensor port room for the inspection preview strip (js/src/geometry.ts
    # placementHeight; its unit test checks the two agree).
    tensor = any(p.type == "NeuralNetworkTensor" for p in [*spec.inputs, *spec.outputs])
    preview = PREVIEW_HEIGHT if tensor else 0
    return HEADER_HEIGHT + ROW_HEIGHT * (len(spec.inputs) + len(spec.outputs)) + 46 + preview


def _observed(card) -> list:
    """Trait names whose edits count as graph changes (Input/Output cards list "name" once)."""
    return list(dict.fromkeys(card.param_names() + ["name"]))


@functools.lru_cache(maxsize=1)
def _catalog_dicts() -> tuple:
    return tuple(spec.to_dict() for spec in catalog.cards())


class NetworkEditor(ipycytoscape.CytoscapeWidget):
    """A canvas of cards that composes a Keras model.

    >>> ed = NetworkEditor()
    >>> x = ed.add("input", name="x", shape=[13])
    >>> d = ed.add("Dense", units=3, activation="softmax")
    >>> ed.connect(x, d); ed.connect(d, ed.add("output", name="y"))
    >>> model = ed.build()
    """

    _model_name = Unicode("NetworkEditorModel").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_name = Unicode("NetworkEditorView").tag(sync=True)
    _view_module = Unicode(MODULE_NAME).tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)

    catalog = List(read_only=True).tag(sync=True)
    total_params = Int(None, allow_none=True).tag(sync=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("cytoscape_layout", {"name": "preset"})
        kwargs.setdefault("box_selection_enabled", True)
        kwargs.setdefault("zoom", 1.0)
        super().__init__(**kwargs)
        self.set_trait("catalog", list(_catalog_dicts()))
        self.layout.height = self.layout.height or "640px"
        self._cards: dict = {}  # uid -> Card
        self._boxes: dict = {}  # uid -> (x, y, height) of each card on the canvas, for placement
        self._graph_sync = None  # ExitStack holding the graph's sync while changes are coalesced
        self._wires: dict = {}  # id -> Wire
        self._topology = GraphData()  # names and wires only, for connection checks
        self._listeners: list = []
        self.model = None  # the last model built
        self.on_msg(self._handle_view_request)
        self.live_shapes = LiveShapes(self)  # shapes, parameter counts and errors on the cards
        self._inspector = Inspector(self)

    # -- the graph, as Python objects -------------------------------------------------------
    @property
    def cards(self) -> list:
        """The cards on the canvas, in the order they were added."""
        return list(self._cards.values())

    @property
    def wires(self) -> list:
        return list(self._wires.values())

    def card(self, key) -> Card:
        """A card by name or uid."""
        if isinstance(key, Card):
            return key
        if key in self._cards:
            return self._cards[key]
        for c in self._cards.values():
            if c.name == key:
                return c
        raise KeyError(f"No card named {key!r} in this editor; cards: "
                       + (", ".join(repr(c.name) for c in self._cards.values()) or "none"))

    __getitem__ = card

    def snapshot(self) -> GraphData:
        """The graph as plain data (what the builder and serialization read)."""
        return GraphData(cards={u: c.to_data() for u, c in self._cards.items()},
                         wires=[w.to_data() for w in self._wires.values()])

    def on_change(self, callback):
        """Call ``callback(event: dict)`` after every change of the graph (used by live shapes)."""
        self._listeners.append(callback)

    def _changed(self, **event):
        for cb in list(self._listeners):
            cb(event)

    # -- editing ------------------------------------------------------------------------------
    def _unique_name(self, base: str) -> str:
        taken = {c.name for c in self._cards.values()}
        if base not in taken:
            return base
        i = 1
        while f"{base}_{i}" in taken:
            i += 1
        return f"{base}_{i}"

    def _free_position(self, spec, position=None) -> dict:
        # (position dict, height) kept by _card_moved: reading every card's position trait here
        # made adding n cards cost O(n^2) trait reads. The dict itself is kept, so in-place edits
        # of a card's position count too.
        boxes = [(p.get("x", 0), p.get("y", 0), h) for p, h in filter(None, self._boxes.values())]
        if position is None:
            n = len(self._cards)
            col = n % COLUMNS
            bottom = max((y + h / 2 for _, y, h in boxes), default=0)
            if col == 0 and n:
                position = {"x": CARD_WIDTH / 2 + 20, "y": bottom + GAP + card_height(spec) / 2}
            elif n:
                last = (self._boxes[next(reversed(self._cards))] or ({},))[0]
                position = {"x": last.get("x", 0) + CARD_WIDTH + GAP, "y": last.get("y", 0)}
            else:
                position = {"x": CARD_WIDTH / 2 + 20, "y": card_height(spec) / 2 + 20}
        x, y = float(position["x"]), float(position["y"])
        h = card_height(spec)
        for _ in range(500):  # nudge down until it overlaps no card
            hit = [(bx, by, bh) for bx, by, bh in boxes
                   if abs(bx - x) < CARD_WIDTH + 10 and abs(by - y) < (bh + h) / 2 + 10]
            if not hit:
                break
            y = max(by + bh / 2 for _, by, bh in hit) + h / 2 + 20
        return {"x": x, "y": y}

    def add(self, card, name: str | None = None, position: dict | None = None, uid=None,
            **params) -> Card:
        """Add a card by catalogue id or Keras class name, with parameter values; returns it."""
        spec = catalog.get(card)
        cls = card_class(spec)
        name = name if name is not None else self._unique_name(spec.default_name)
        position = self._free_position(spec, position) if uid is None or position is None else position
        new = cls(name=name, uid=uid, position=position, **params)
        if new.uid in self._cards:
            raise ValueError(f"A card with uid {new.uid!r} is already in this editor")
        self._attach(new)
        self._changed(kind="add", card=new)
        return new

    def _attach(self, card: Card):
        self._cards[card.uid] = card
        self._topology.cards[card.uid] = CardData(card.uid, card.spec.id, card.name)
        card.observe(self._card_edited, names=_observed(card))
        self._card_moved({"owner": card})
        card.observe(self._card_moved, names=["position"])
        self._hold_graph_sync()
        self.graph.nodes.append(card)

    def _card_moved(self, change):
        card = change["owner"]
        pos = card.position
        self._boxes[card.uid] = (pos, card_height(card.spec)) if pos else None

    # -- syncing the graph with the view -----------------------------------------------------
    def _hold_graph_sync(self):
        """Coalesce the sync of ``graph.nodes`` / ``graph.edges``.

        ipycytoscape sends the whole node (edge) list to the view after every append or remove,
        so adding n cards one by one costs O(n^2) serialization. Inside a kernel (an asyncio
        loop is running) the lists are sent once, right after the cell or view request that
        changed them; without a front end (a ``DummyComm``: scripts, plain pytest) nothing is
        listening and they are not serialized at all. ``_release_graph_sync()`` sends at once.
        """
        if self._graph_sync is not None:
            return
        loop = running_loop()
        if loop is None and not _without_front_end(self.graph):
            return  # a front end but no loop to flush on: sync every change, as ipycytoscape does
        stack = contextlib.ExitStack()
        stack.enter_context(self.graph.hold_sync())
        self._graph_sync = stack
        if loop is not None:
            loop.call_soon(self._release_graph_sync)
        else:  # no front end: release when the editor goes (or at exit), while comms still exist
            weakref.finalize(self, stack.close)

    def _release_graph_sync(self):
        stack, self._graph_sync = self._graph_sync, None
        if stack is not None:
            stack.close()

    def _card_edited(self, change):
        card = change["owner"]
        if change["name"] == "name":
            self._topology.cards[card.uid].name = change["new"]
        self._changed(kind="param", card=card, name=change["name"], old=change["old"],
                      new=change["new"])

    def _port_of(self, ref):
        if isinstance(ref, PortRef):
            return self.card(ref.card), ref.key
        return self.card(ref), None

    def connect(self, source, target) -> Wire:
        """Wire ``source`` (a card or ``card["Output label"]``) into ``target``.

        Without port names: the first Tensor output into the first free input of that type.
        Raises ConnectionRefused (naming both cards and ports) for a wire the rules forbid.
        """
        src, src_port = self._port_of(source)
        dst, dst_port = self._port_of(target)
        for c in (src, dst):
            if self._cards.get(c.uid) is not c:
                raise ConnectionRefused(f"Card '{c.name}' is not in this editor")
        if src_port is None or dst_port is None:
            d_src, d_dst = default_ports(self._topology, src.uid, dst.uid) if (
                src_port is None and dst_port is None) else (None, None)
            if src_port is None:
                src_port = d_src or next((o.name for o in src.spec.outputs
                                          if o.type == "NeuralNetworkTensor"),
                                         src.spec.outputs[0].name if src.spec.outputs else "")
            if dst_port is None:
                dst_port = d_dst or self._first_free_input(src, src_port, dst)
        out, inp = check_wire(self._topology, src.uid, src_port, dst.uid, dst_port)
        wire = Wire(src, out.name, dst, inp.name, out.type)
        self._add_wire(wire)
        return wire

    def _first_free_input(self, src: Card, src_port: str, dst: Card) -> str:
        try:
            out_type = src.spec.output(src_port).type
        except KeyError as exc:
            raise ConnectionRefused(str(exc)) from None
        taken = {w.target_port for w in self._topology.wires_into(dst.uid)}
        for inp in dst.spec.ports:
            if inp.type == out_type and inp.name not in taken:
                return inp.name
        matching = [inp.name for inp in dst.spec.ports if inp.type == out_type]
        return matching[0] if matching else (dst.spec.ports[0].name if dst.spec.ports else "")

    def _add_wire(self, wire: Wire):
        self._wires[wire.id] = wire
        self._topology.wires.append(wire.to_data())
        self._hold_graph_sync()
        self.graph.edges.append(wire)
        self._changed(kind="connect", wire=wire)

    def disconnect(self, wire) -> None:
        """Remove a wire (a Wire or its id)."""
        wire = self._wires.get(wire.id if isinstance(wire, Wire) else wire)
        if wire is None:
            raise KeyError("No such wire in this editor")
        del self._wires[wire.id]
        self._topology.wires = [w for w in self._topology.wires if w.id != wire.id]
        self._hold_graph_sync()
        self.graph.edges.remove(wire)
        self._changed(kind="disconnect", wire=wire)

    def remove(self, item) -> None:
        """Remove a card (and its wires) or a wire."""
        if isinstance(item, Wire) or (isinstance(item, str) and item in self._wires):
            return self.disconnect(item)
        card = self.card(item)
        for w in [w for w in self._wires.values() if card.uid in (w.data["source"], w.data["target"])]:
            self.disconnect(w)
        card.unobserve(self._card_edited, names=_observed(card))
        card.unobserve(self._card_moved, names=["position"])
        del self._cards[card.uid]
        del self._boxes[card.uid]
        del self._topology.cards[card.uid]
        self._hold_graph_sync()
        self.graph.nodes.remove(card)
        self._changed(kind="remove", card=card)

    def clear(self) -> None:
        for card in self.cards:
            self.remove(card)

    # -- building ----------------------------------------------------------------------------
    def build(self):
        """Build the graph into a functional ``keras.Model`` (also kept as ``ed.model``).

        Raises BuildError naming the card (and port or parameter) at fault; the graph is not
        changed by a failed build.
        """
        model = self.live_shapes.build()  # reuses the live shapes' Keras objects; see shapes.py
        self.model = model
        return model

    def refresh_shapes(self) -> None:
        """Update shapes, parameter counts and errors now (inside a kernel they are updated once
        after each cell or view request; outside one, after every change)."""
        self.live_shapes.refresh()

    # -- inspection --------------------------------------------------------------------------
    def inspect(self, sample, live: bool = False):
        """Run ``sample`` (an array, or a dict of arrays by Input card name) through ``ed.model``
        in one forward pass and show every card's output on its card (``card.preview``).

        Builds first when there is no model or the graph changed since the last build. With
        ``live=True`` the previews are refreshed after every later change of the graph.
        Returns ``ed.outputs``.
        """
        return self._inspector.inspect(sample, live=live)

    @property
    def outputs(self):
        """Each card's output (numpy array) from the last ``inspect``: ``ed.outputs["dense"]``."""
        return self._inspector.outputs

    # -- saving and loading ----------------------------------------------------------------
    def to_json(self, indent=1) -> str:
        """The whole graph (cards, parameters, positions, wires, names) as JSON text."""
        return serialization.dumps(self.snapshot(), indent=indent)

    @classmethod
    def from_json(cls, text, **kwargs) -> "NetworkEditor":
        """A new editor holding the graph saved by ``to_json``."""
        graph = serialization.loads(text)  # checked fully before any widget is made
        editor = cls(**kwargs)
        editor._load_graph(graph)
        return editor

    def load_json(self, text) -> None:
        """Replace this editor's graph by a saved one; on error the editor is left untouched."""
        graph = serialization.loads(text)
        self.clear()
        self._load_graph(graph)

    def _load_graph(self, graph: GraphData):
        for c in graph.cards.values():
            self.add(c.card_id, name=c.name, uid=c.uid, position=c.position or None,
                     **{k: v for k, v in c.params.items() if k != "name"})
        for w in graph.wires:
            self._add_wire(Wire(self._cards[w.source], w.source_port, self._cards[w.target],
                                w.target_port, self._cards[w.source].spec.output(w.source_port).type,
                                wid=w.id))

    # -- requests from the view --------------------------------------------------------------
    def _handle_view_request(self, _widget, content, _buffers):
        if not isinstance(content, dict) or "request_id" not in content:
            return
        kind = content.get("type")
        handler = getattr(self, f"_request_{kind}", None)
        reply = {"type": "reply", "request_id": content["request_id"], "ok": True, "error": "",
                 "result": {}}
        if handler is None:
            reply.update(ok=False, error=f"Unknown request {kind!r}")
        else:
            try:
                reply["result"] = handler(content) or {}
            except (NNCardsError, TraitError, KeyError, TypeError, ValueError) as exc:
                reply.update(ok=False, error=str(exc).strip("'\""))
        self._release_graph_sync()  # the view sees the new nodes/edges before the reply
        self.send(reply)
        return reply

    def _request_add(self, msg):
        card = self.add(msg["card_id"], position=msg.get("position"), **msg.get("params", {}))
        return {"uid": card.uid}

    def _request_remove(self, msg):
        removed_wires = {}
        cards = [self.card(uid) for uid in msg.get("cards", [])]
        for uid in msg.get("wires", []):
            if uid in self._wires:
                removed_wires[uid] = serialization.wire_to_dict(self._wires[uid].to_data())
        for card in cards:
            for w in self._wires.values():
                if card.uid in (w.data["source"], w.data["target"]):
                    removed_wires[w.id] = serialization.wire_to_dict(w.to_data())
        removed_cards = [serialization.card_to_dict(c.to_data()) for c in cards]
        for wid in removed_wires:
            if wid in self._wires:
                self.disconnect(wid)
        for card in cards:
            self.remove(card)
        return {"removed": {"cards": removed_cards, "wires": list(removed_wires.values())}}

    def _request_connect(self, msg):
        wire = self.connect(self.card(msg["source"])[msg["source_port"]],
                            self.card(msg["target"])[msg["target_port"]])
        return {"wire": serialization.wire_to_dict(wire.to_data())}

    def _request_disconnect(self, msg):
        wire = self._wires[msg["wire"]]
        data = serialization.wire_to_dict(wire.to_data())
        self.disconnect(wire)
        return {"wire": data}

    def _request_set_param(self, msg):
        card = self.card(msg["uid"])
        name = msg["name"]
        if name not in card.param_names() and name != "name":
            raise KeyError(f"Card '{card.name}' ({card.spec.title}) has no parameter {name!r}")
        old = getattr(card, name)
        setattr(card, name, msg.get("value"))
        return {"old": old}

    def _request_move(self, msg):
        old = {}
        for uid, pos in msg.get("positions", {}).items():
            card = self.card(uid)
            old[uid] = dict(card.position)
            card.position = {"x": float(pos["x"]), "y": float(pos["y"])}
        return {"old": old}

    def _request_restore(self, msg):
        graph = GraphData(cards=dict(self._topology.cards), wires=list(self._topology.wires))
        new_cards = [serialization.card_from_dict(e) for e in msg.get("cards", [])]
        for c in new_cards:
            if c.uid in self._cards:
                raise GraphFileError(f"Cannot restore card '{c.name}': uid {c.uid!r} is in use")
            graph.cards[c.uid] = c
        wires = [serialization.wire_from_dict(e) for e in msg.get("wires", [])]
        serialization.add_wires_checked(graph, wires)  # all checked before anything changes
        self._load_graph(GraphData(cards={c.uid: c for c in new_cards}, wires=wires))
        return {}

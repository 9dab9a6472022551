"""``NetworkEditor``: the one public face — a graph of cards on a canvas that builds a Keras model.

The editor keeps exactly one model of the network, ``ed.graph_model`` (a ``Graph``). Its Card
and Wire widgets are that graph's projection onto the canvas: an edit of a card's traits (from a
cell or from the canvas) goes into the graph, and every change of the graph (an edit, an undo, a
view request) is drawn by adding, removing or updating widgets in the ipycytoscape node and edge
lists (``ed.graph``). Live shapes, inspection and the undo history listen to the graph.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import functools
import hashlib
import json
import logging
import weakref

import ipycytoscape
from traitlets import Dict, Int, TraitError, Unicode, default

from . import catalog, protocol, serialization
from ._after_cell import running_loop
from ._frontend import MODULE_NAME, MODULE_VERSION
from ._iopub import keep_iopub_bursts
from ._placement import CARD_WIDTH, Placement  # noqa: F401 (CARD_WIDTH: re-exported)
from .cards import Card, PortRef, TrackedPosition, Wire, card_class
from .custom import inner_card_ids
from .geometry import placement_height
from .errors import (ConnectionRefused, EditorClosedError, GraphFileError, NNCardsError,
                     NotFoundError)
from .graph import Graph, GraphEvent, WireData, check_wire, default_ports, new_id
from .history import History
from .inspection import Inspector
from .persistence import GraphFile
from .shapes import LiveShapes

__all__ = ["NetworkEditor", "card_height"]

def _without_front_end(widget) -> bool:
    """True when no view can ever receive this widget's state (its comm is a ``DummyComm``)."""
    return type(widget.comm).__name__ == "DummyComm"


def card_height(spec: catalog.CardSpec, values=None) -> float:
    """Height of a card on the canvas, compact (``InputSpec.shown``), with its shape footer and,
    for a card with a Tensor port, the inspection preview strip -- the view's
    ``placementHeight`` (js/src/geometry.ts), computed by ``geometry.placement_height``."""
    return placement_height(catalog.get(spec), values)


def _observed(card) -> list:
    """Card traits that are graph data: parameters, name (once) and position."""
    return list(dict.fromkeys(card.param_names() + ["name", "position"]))


@functools.lru_cache(maxsize=1)
def _catalog_dicts() -> tuple:
    return tuple(spec.to_dict() for spec in catalog.cards())


@functools.lru_cache(maxsize=1)
def _catalog_version() -> str:
    """A short hash of the catalogue the view receives (its per-page cache key)."""
    text = json.dumps(_catalog_dicts(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _view_spec(card_id: str) -> dict:
    """The spec of a card kind as the view reads it (``card_specs``)."""
    if card_id.startswith(catalog.KERNEL_CARD_PREFIXES):
        from . import custom

        return custom.view_dict(catalog.get(card_id))  # a Python value's default as its repr
    return catalog.get(card_id).to_dict()


_log = logging.getLogger(__name__)


#: How many removed Card (Wire) widgets an editor keeps for undo to bring back as the same
#: objects; older ones are closed (undo then draws a new widget with the same uid and values).
KEEP_REMOVED = 256


def _keep(table: dict, key: str, widget) -> None:
    """Keep a removed widget for undo, closing the oldest beyond KEEP_REMOVED."""
    table.pop(key, None)
    table[key] = widget
    while len(table) > KEEP_REMOVED:
        table.pop(next(iter(table))).close()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class NetworkEditor(ipycytoscape.CytoscapeWidget):
    """A canvas of cards that composes a Keras model.

    >>> ed = NetworkEditor()
    >>> x = ed.add("input", name="x", shape=[13])
    >>> d = ed.add("Dense", units=3, activation="softmax")
    >>> ed.connect(x, d); ed.connect(d, ed.add("output", name="y"))
    >>> model = ed.build()

    Every change can be undone (``ed.undo()``, ``ed.redo()``, or the toolbar / Ctrl+Z in the
    view): one history per editor, in the kernel.
    """

    _model_name = Unicode("NetworkEditorModel").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_name = Unicode("NetworkEditorView").tag(sync=True)
    _view_module = Unicode(MODULE_NAME).tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)

    #: Hash of the package's card catalogue; the view asks for the catalogue itself once per
    #: page. Cards made in the kernel (custom layers, nested models) are not part of it: they
    #: reach the view through ``card_specs``, so registering one does not change this hash.
    catalog_version = Unicode(read_only=True).tag(sync=True)
    #: Specs of the card kinds on the canvas (``CardSpec.to_dict()`` by card id): what a view
    #: needs to draw the cards without the catalogue (e.g. a notebook saved with widget state),
    #: and the only way kinds made in the kernel reach the view (its palette lists them too).
    card_specs = Dict(read_only=True).tag(sync=True)
    total_params = Int(None, allow_none=True).tag(sync=True)
    #: Labels of the next undo / redo and the number of each (what the toolbar shows).
    undo_state = Dict(read_only=True).tag(sync=True)
    #: Progress and loss / metric series of the fit being monitored (``ed.monitor()``).
    training_state = Dict(read_only=True).tag(sync=True)

    def __init__(self, path=None, **kwargs):
        """``path``: a file that keeps the network (``"mynet.cards.json"``): loaded when it
        exists, written after every change (see ``persistence.py``)."""
        graph_file = GraphFile(self, path) if path is not None else None  # checks the path
        keep_iopub_bursts()  # a large network is thousands of messages in one cell
        saved = graph_file.read() if graph_file is not None else None  # before any widget
        kwargs.setdefault("cytoscape_layout", {"name": "preset"})
        kwargs.setdefault("box_selection_enabled", True)
        kwargs.setdefault("zoom", 1.0)
        super().__init__(**kwargs)
        first = self.__dict__.pop("_first_graph", None)
        if first is not None and first is not self.graph:
            first.close()  # ipycytoscape makes a Graph widget as the default, then replaces it
        self.set_trait("catalog_version", _catalog_version())
        self.layout.height = self.layout.height or "640px"
        #: The network: cards, wires, parameters, positions. Everything else reads it.
        self.graph_model = Graph()
        self._history = History(self.graph_model, on_change=self._show_history)
        self.set_trait("undo_state", self._history.state())
        self._widgets: dict = {}  # uid -> Card widget drawn for graph_model.cards[uid]
        self._new_specs: dict = {}  # card kinds added since card_specs was last synced
        self._wire_widgets: dict = {}  # wire id -> Wire widget
        self._incoming: dict = {}  # uid -> Card made (and validated) by add(), about to be drawn
        # Removed widgets, reused when undo brings their card or wire back (closed by close()).
        self._detached: dict = {}
        self._detached_wires: dict = {}
        self._projecting = False  # True while graph changes are copied onto widgets
        self._closed = False  # close(): widgets gone, graph kept (to_json still works)
        self._placement = Placement()  # boxes of the placed cards, for placing new ones
        self._names = collections.Counter()  # card names in use
        self._next_suffix: dict = {}  # base name -> lowest k for which base_k may be free
        self._graph_sync = None  # ExitStack holding the graph's sync while changes are coalesced
        self.graph_model.on_change(self._project)
        self.model = None  # the last model built
        self.on_msg(self._handle_view_request)
        self.live_shapes = LiveShapes(self)  # shapes, parameter counts and errors on the cards
        self._inspector = Inspector(self)
        self._training_monitor = None  # the TrainingMonitor of the last monitored fit
        #: The file keeping this network (None: kept only in this kernel and the notebook).
        self.path = graph_file.path if graph_file is not None else None
        self._graph_file = graph_file
        if graph_file is not None:
            if saved is not None:
                self._load_graph(saved, "Load graph")
                self._history.clear()
                graph_file.saved_version = self.graph_model.version
            graph_file.watch()
            graph_file.save()  # a new file exists at once (and an unwritable one warns now)

    @default("graph")
    def _remember_first_graph(self):
        graph = ipycytoscape.Graph()
        self.__dict__["_first_graph"] = graph
        return graph

    # -- the graph, as Python objects -------------------------------------------------------
    @property
    def cards(self) -> list:
        """The cards on the canvas, in the order they were added."""
        if self._closed:
            return []
        return [self._widgets[u] for u in self.graph_model.cards]

    @property
    def wires(self) -> list:
        if self._closed:
            return []
        return [self._wire_widgets[w] for w in self.graph_model.wires]

    def card(self, key) -> Card:
        """A card by name or uid."""
        if isinstance(key, Card):
            return key
        if isinstance(key, str) and key in self._widgets:
            return self._widgets[key]
        for uid, c in self.graph_model.cards.items():
            if c.name == key:
                return self._widgets[uid]
        names = [c.name for c in self.graph_model.cards.values()]
        shown = ", ".join(map(repr, names[:20])) + (f", ... ({len(names)} cards)"
                                                    if len(names) > 20 else "")
        raise NotFoundError(f"No card {catalog.short_repr(key)} (by name or uid) in this editor; "
                            f"cards: "
                            + (shown or "none"))

    __getitem__ = card

    def card_widget(self, uid: str) -> Card | None:
        """The Card widget drawn for card ``uid`` (None when there is no such card)."""
        return self._widgets.get(uid) if isinstance(uid, str) else None

    def wire_widget(self, wid: str) -> Wire | None:
        """The Wire widget drawn for wire ``wid`` (None when there is no such wire)."""
        return self._wire_widgets.get(wid) if isinstance(wid, str) else None

    def publish(self, uid: str, **traits) -> None:
        """Show results computed from the graph on a card (``output_shape``, ``param_count``,
        ``error``, ``preview``, ``stale`` ...), synced to the view in one message. Unknown uids
        are ignored (the card was removed meanwhile). Live shapes and inspection use this."""
        self.publish_many(cards={uid: traits})

    def publish_wire(self, wid: str, **traits) -> None:
        """As ``publish``, for a wire (``shape``)."""
        self.publish_many(wires={wid: traits})

    def publish_many(self, cards: dict | None = None, wires: dict | None = None) -> None:
        """``publish`` for many cards (``{uid: {trait: value}}``) and wires (``{wire id:
        {trait: value}}``) at once. The widgets' traits are set as usual, but what changed is
        sent to the view as one ``states`` message of the editor (docs/protocol.md) instead of
        one comm message per widget: an edit of the Input shape of a 2,000-card network sends
        one message, not 4,000 (Jupyter drops comm messages beyond 1,000 a second)."""
        widgets = [(self.card_widget(uid), traits) for uid, traits in (cards or {}).items()]
        widgets += [(self.wire_widget(wid), traits) for wid, traits in (wires or {}).items()]
        unseen = _without_front_end(self)  # no view can receive anything: nothing to send
        batched = self.comm is not None and not unseen
        states = {}
        for widget, traits in widgets:
            if widget is None:  # removed meanwhile
                continue
            with widget.hold_sync():
                for name, value in traits.items():
                    setattr(widget, name, value)
                changed = widget._states_to_send  # ipywidgets' set of traits held back
                if batched and widget.comm is not None and changed:
                    states[widget.model_id] = widget.get_state(key=changed)
                    changed.clear()  # sent below, with the others
                elif unseen:
                    changed.clear()
        if states:
            self.send({"type": "states", "states": states})

    def snapshot(self) -> Graph:
        """An independent copy of the graph (what a build or a save reads)."""
        return self.graph_model.copy()

    # -- undo / redo ---------------------------------------------------------------------------
    def undo(self) -> str:
        """Undo the last change (a Python call or a view request); returns what was undone.
        Raises HistoryError when there is nothing to undo."""
        self._check_open()
        return self._history.undo()

    def redo(self) -> str:
        """Redo the last undone change; returns its label."""
        self._check_open()
        return self._history.redo()

    _pending_undo_state = None  # the newest undo_state not yet sent (inside a kernel)

    def _show_history(self, state: dict):
        """Show the next undo / redo labels. Inside a kernel they are sent once per cell or view
        request (the newest wins), like the node and edge lists: a cell adding 1,000 cards
        would otherwise send 2,000 updates, and Jupyter drops comm messages beyond
        1,000 a second."""
        loop = running_loop()
        if loop is None:
            self.set_trait("undo_state", state)
            return
        if self._pending_undo_state is None:
            loop.call_soon(self._send_undo_state)
        self._pending_undo_state = state

    def _send_undo_state(self):
        state, self._pending_undo_state = self._pending_undo_state, None
        if state is not None and self.comm is not None:
            self.set_trait("undo_state", state)

    def _edit(self, label: str | None):
        """One undoable step: every change inside is undone together; an error rolls it back."""
        self._check_open()
        return self._history.group(label)

    def _check_open(self):
        if self._closed:
            raise EditorClosedError("This editor is closed (ed.close()); its graph can still be "
                                    "saved with to_json() and loaded into a new editor")

    # -- editing ------------------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        """A card uid or wire id unique in this editor and, being random, across kernels."""
        g = self.graph_model
        return new_id(prefix, g.cards, g.wires)

    def _unique_name(self, base: str) -> str:
        """``base``, or ``base_1``, ``base_2`` ...: the first name no card has (O(1) amortised:
        every ``base_k`` below ``self._next_suffix[base]`` is known to be taken)."""
        taken = self._names
        if base not in taken:
            return base
        i = self._next_suffix.get(base, 1)
        while f"{base}_{i}" in taken:
            i += 1
        self._next_suffix[base] = i
        return f"{base}_{i}"

    def _name_freed(self, name: str) -> None:
        self._names[name] -= 1
        if self._names[name] <= 0:
            del self._names[name]
            base, _, k = name.rpartition("_")
            if base and k.isdigit() and int(k) < self._next_suffix.get(base, 1):
                self._next_suffix[base] = int(k)

    def _free_position(self, spec, position=None, params=None) -> dict:
        cards = self.graph_model.cards
        last = cards[next(reversed(cards))].position if cards else None
        return self._placement.free_position(card_height(spec, params), position, len(cards),
                                             last)

    def _position_of(self, uid: str) -> TrackedPosition:
        """The card's position dict as the graph and its widget share it, edits in place
        reported to the placement index."""
        data = self.graph_model.cards[uid]
        pos = data.position
        if not isinstance(pos, TrackedPosition) or pos.on_edit is None:
            pos = TrackedPosition(pos or {}, functools.partial(self._place, uid))
            data.position = pos
        return pos

    def _place(self, uid: str) -> None:
        data = self.graph_model.cards.get(uid)
        if data is not None:
            self._placement.put(uid, data.position, card_height(data.card_id, data.params))

    def add(self, card, name: str | None = None, position: dict | None = None, uid=None,
            **params) -> Card:
        """Add a card by catalogue id or Keras class name, with parameter values; returns it."""
        self._check_open()
        try:
            spec = catalog.get(card)
        except TypeError:  # e.g. a list: not something a catalogue is looked up by
            raise catalog.UnknownCardError(f"Unknown card {catalog.short_repr(card)}: expected a "
                                           f"card id or Keras class name") from None
        if uid is not None and (not isinstance(uid, str) or not uid.strip()
                                or uid in self.graph_model.cards or uid in self.graph_model.wires):
            raise TraitError(f"Cannot add a {spec.title} card with uid {catalog.short_repr(uid)}: "
                             f"expected a non-empty string not used by another card or wire")
        if position is not None and not protocol.TYPES["Point"][0](position):
            raise TraitError(f"Invalid position for a new {spec.title} card: expected "
                             f"{{'x': number, 'y': number}}; received "
                             f"{catalog.short_repr(position)}")
        name = name if name is not None else self._unique_name(spec.default_name)
        if uid is None or position is None:  # a card of a saved graph keeps its place
            position = self._free_position(spec, position, params)
        widget = card_class(spec)(name=name, uid=uid or self._new_id("card"), position=position,
                                  **params)  # checks every value
        self._add_widget(widget, f"Add {spec.title} '{widget.name}'")
        return widget

    def _add_widget(self, widget: Card, label: str | None) -> None:
        data = widget.to_data()
        data.position = widget.position  # the same dict: in-place edits count for placement
        self._incoming[widget.uid] = widget
        try:
            with self._edit(label):
                self.graph_model.add_card(data)
        finally:
            self._incoming.pop(widget.uid, None)

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
            if self._widgets.get(c.uid) is not c:
                raise ConnectionRefused(f"Card '{c.name}' is not in this editor")
        return self._connect(src.uid, src_port, dst.uid, dst_port)

    def _connect(self, source: str, source_port, target: str, target_port) -> Wire:
        g = self.graph_model
        if source_port is None or target_port is None:
            source_port, target_port = default_ports(g, source, target, source_port, target_port)
        out, inp = check_wire(g, source, source_port, target, target_port)
        wire = WireData(self._new_id("wire"), source, out.name, target, inp.name)
        with self._edit(f"Connect '{g.cards[source].name}' -> '{g.cards[target].name}'"):
            g.add_wire(wire)
        return self._wire_widgets[wire.id]

    def disconnect(self, wire) -> None:
        """Remove a wire (a Wire or its id)."""
        wid = wire.id if isinstance(wire, Wire) else wire
        w = self.graph_model.wires.get(wid) if isinstance(wid, str) else None
        if w is None:
            raise NotFoundError(f"No wire {catalog.short_repr(wid)} in this editor")
        with self._edit(f"Disconnect {self._wire_text(w)}"):
            self.graph_model.remove_wire(wid)

    def _wire_text(self, w: WireData) -> str:
        cards = self.graph_model.cards
        return f"'{cards[w.source].name}' -> '{cards[w.target].name}'"

    def remove(self, item) -> None:
        """Remove a card (and its wires) or a wire."""
        if isinstance(item, Wire) or (isinstance(item, str) and item in self.graph_model.wires):
            return self.disconnect(item)
        card = self.card(item)
        if self._widgets.get(card.uid) is not card:
            raise NotFoundError(f"Card '{card.name}' is not in this editor")
        with self._edit(f"Delete {card.spec.title} '{card.name}'"):
            self.graph_model.remove_card(card.uid)

    def clear(self) -> None:
        """Remove every card and wire (one undoable step)."""
        with self._edit(f"Delete {_count(len(self.graph_model.cards), 'card')}"):
            for uid in list(self.graph_model.cards):
                self.graph_model.remove_card(uid)

    def close(self) -> None:
        """Close the editor and every widget it made: cards and wires (also removed ones kept
        for undo), the node/edge list and its layout. Their views go; nothing stays alive in
        the kernel's widget registry."""
        if getattr(self, "_closed", True):  # closed already, or never set up
            return super().close()
        self._closed = True
        self._release_graph_sync()
        graph_file = getattr(self, "_graph_file", None)
        if graph_file is not None:
            graph_file.save()  # a write still waiting for the end of the cell
            graph_file.unwatch()
        self.graph_model.remove_listener(self._project)
        widgets = [*self._wire_widgets.values(), *self._detached_wires.values(),
                   *self._widgets.values(), *self._detached.values()]
        self._wire_widgets, self._widgets = {}, {}
        self._detached.clear()
        self._detached_wires.clear()
        for w in widgets:
            w.close()
        for w in (self.graph, getattr(self, "layout", None)):
            if w is not None:
                w.close()
        super().close()

    # -- the graph drawn as widgets --------------------------------------------------------
    def _project(self, event: GraphEvent) -> None:
        """Draw one change of the graph: widgets added, removed or updated to match it."""
        self._projecting = True
        try:
            getattr(self, f"_draw_{event.kind}")(event)
        finally:
            self._projecting = False

    def _draw_add(self, ev: GraphEvent):
        data = self.graph_model.cards[ev.uid]
        widget = self._incoming.pop(ev.uid, None)
        if widget is None:
            widget = self._detached.pop(ev.uid, None)
            if widget is not None and (widget.card_id != data.card_id or widget.comm is None):
                widget = None
            if widget is None:
                widget = card_class(data.card_id)(uid=data.uid)
            with widget.hold_trait_notifications():
                widget.name = data.name
                for k, v in data.params.items():
                    setattr(widget, k, copy.deepcopy(v))
        widget.position = self._position_of(ev.uid)  # the graph's dict itself
        self._place(ev.uid)
        self._names[data.name] += 1
        self._widgets[ev.uid] = widget
        widget.observe(self._widget_changed, names=_observed(widget))
        widget._edit_step = self._edit
        self._hold_graph_sync()
        new = {}
        for k in (data.card_id, *inner_card_ids(data)):  # an open group draws those
            if k in self._new_specs:
                continue
            if k not in self.card_specs:
                new[k] = _view_spec(k)
            elif k.startswith(catalog.KERNEL_CARD_PREFIXES):  # a class redefined in the kernel
                spec = _view_spec(k)
                if spec != self.card_specs[k]:
                    new[k] = spec
        if new:
            self._new_specs.update(new)
            if self._graph_sync is None or _without_front_end(self):
                self._publish_card_specs()  # before the node that needs it
        if ev.index is None or ev.index >= len(self.graph_model.cards) - 1:
            self.graph.nodes.append(widget)
        else:
            self.graph.nodes.insert(ev.index, widget)

    def _draw_remove(self, ev: GraphEvent):
        widget = self._widgets.pop(ev.uid)
        widget.unobserve(self._widget_changed, names=_observed(widget))
        widget._edit_step = None
        self._placement.drop(ev.uid)
        self._name_freed(ev.old.name)
        if isinstance(widget.position, TrackedPosition):
            widget.position.on_edit = None  # a removed card no longer takes room
        _keep(self._detached, ev.uid, widget)
        self._hold_graph_sync()
        self.graph.nodes.remove(widget)

    def _draw_connect(self, ev: GraphEvent):
        w = ev.wire
        src, dst = self._widgets[w.source], self._widgets[w.target]
        wire = self._detached_wires.pop(w.id, None)  # the same Wire object back after undo
        if wire is None or wire.comm is None or wire.to_data() != w:
            port_type = src.spec.output(w.source_port).type
            wire = Wire(src, w.source_port, dst, w.target_port, port_type, wid=w.id)
        wire.source_card, wire.target_card = src, dst
        self._wire_widgets[w.id] = wire
        self._hold_graph_sync()
        if ev.index is None or ev.index >= len(self.graph_model.wires) - 1:
            self.graph.edges.append(wire)
        else:
            self.graph.edges.insert(ev.index, wire)

    def _draw_disconnect(self, ev: GraphEvent):
        wire = self._wire_widgets.pop(ev.wire.id)
        _keep(self._detached_wires, ev.wire.id, wire)
        self._hold_graph_sync()
        self.graph.edges.remove(wire)

    def _draw_param(self, ev: GraphEvent):
        widget = self._widgets[ev.uid]
        if ev.name == "name":
            self._name_freed(ev.old)
            self._names[ev.new] += 1
        if getattr(widget, ev.name) != ev.new:
            setattr(widget, ev.name, copy.deepcopy(ev.new))

    def _draw_move(self, ev: GraphEvent):
        self._widgets[ev.uid].position = self._position_of(ev.uid)
        self._place(ev.uid)

    def _widget_changed(self, change):
        """A card trait edited (in a cell, or synced from the canvas): put it into the graph."""
        if self._projecting:
            return
        card, name, new = change["owner"], change["name"], change["new"]
        if self._widgets.get(card.uid) is not card:
            return
        if name == "position":
            with self._edit(f"Move '{card.name}'"):
                self.graph_model.move(card.uid, new)
            return
        if name == "name":
            label = f"Rename '{change['old']}' to '{new}'"
        else:
            label = (f"Set {card.spec.input(name).label} of '{card.name}' to "
                     f"{catalog.short_repr(new)}")  # (a vocabulary may be a long list)
        with self._edit(label):
            self.graph_model.set_param(card.uid, name, copy.deepcopy(new))

    # -- syncing the node and edge lists with the view -------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        """Send the held node/edge lists before the view is made, so that it opens with the
        network (framed whole, the palette folded) instead of an empty canvas filled later."""
        self._release_graph_sync()
        return super()._repr_mimebundle_(**kwargs)

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
            self._publish_card_specs()  # the view has the specs of the nodes it is sent
            stack.close()

    def _publish_card_specs(self):
        if self._new_specs:
            specs, self._new_specs = {**self.card_specs, **self._new_specs}, {}
            self.set_trait("card_specs", specs)

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

    # -- training ----------------------------------------------------------------------------
    def monitor(self, probe=None, interval: float = 0.25, budget: float = 0.02):
        """A Keras callback that shows training on the canvas:
        ``model.fit(x, y, callbacks=[ed.monitor(probe=x[:64])])``.

        The editor's panel charts loss and metrics (per batch and per epoch, train and
        validation) with a progress bar; each card with weights shows its weight norm,
        update/weight ratio and, for its output on ``probe`` (a few input examples; default:
        the sample of the last ``inspect``), the share of zeros, mean and std, with a state
        (learning / stalled / dead / exploding). The panel is synced at most every ``interval``
        seconds; card statistics take at most ``budget`` of the fit time. After the fit:
        ``ed.history`` and ``card.training``. See ``nncards_widget/monitor.py``.
        """
        from .monitor import TrainingMonitor  # imports Keras

        return TrainingMonitor(self, probe=probe, interval=interval, budget=budget)

    @property
    def history(self) -> dict:
        """Epoch logs of the last fit run with ``ed.monitor()``, like Keras'
        ``History.history``: ``{"loss": [...], "val_loss": [...], ...}`` (empty before)."""
        mon = self._training_monitor
        return {k: list(v) for k, v in mon.history.items()} if mon is not None else {}

    @property
    def outputs(self):
        """Each card's output (numpy array) from the last ``inspect``: ``ed.outputs["dense"]``."""
        return self._inspector.outputs

    def shared_with(self, card) -> list:
        """Names of the other cards that call the same layer object as ``card`` (one set of
        weights): its layer card, wrappers and 'Call layer' cards fed by its Layer instance.
        Also shown on each card as ``card.shared_by``."""
        from .builder import sharing

        uid = self.card(card).uid
        graph = self.graph_model
        return [graph.cards[u].name for u in sharing(graph, uid) if u != uid]

    @property
    def weights(self):
        """The weights kept across builds (``nncards_widget.weights.WeightStore``): after
        training, an edit and a new ``build()`` keep the weights of every card whose kind,
        parameters and input shapes did not change. ``ed.weights.seed(card, arrays)`` starts a
        card from given weights (``layer.get_weights()`` order)."""
        return self.live_shapes.weights

    # -- saving and loading ----------------------------------------------------------------
    def to_json(self, indent=1) -> str:
        """The whole graph (cards, parameters, positions, wires, names) as JSON text."""
        return serialization.dumps(self.graph_model, indent=indent)

    @classmethod
    def from_json(cls, text, **kwargs) -> "NetworkEditor":
        """A new editor holding the graph saved by ``to_json`` (with an empty undo history)."""
        graph = serialization.loads(text)  # checked fully before any widget is made
        editor = cls(**kwargs)
        try:
            editor._load_graph(graph, "Load graph")
        except BaseException:
            editor.close()  # no half-made editor left behind
            raise
        editor._history.clear()
        return editor

    @classmethod
    def from_model(cls, model, **kwargs) -> "NetworkEditor":
        """A new editor holding a Keras model (functional or Sequential) as cards and wires,
        named after its layers, with its weights: ``ed.build()`` computes what ``model`` does.
        Raises ModelImportError naming the layer and argument a card cannot represent."""
        from .importer import import_model

        return import_model(cls, model, **kwargs)

    def to_code(self) -> str:
        """Python source (functional Keras API, one line per layer call) that leaves this
        network in a variable named ``model`` when run on its own."""
        from .codegen import to_code

        return to_code(self.graph_model)

    def to_svg(self, path=None) -> str:
        """The network as an SVG picture, drawn by the kernel (no view needed): the cards as
        the canvas shows them, at their positions, and the wires. Returns the SVG text (a
        notebook shows it as the picture); writes it to ``path`` too when given."""
        from .picture import SVGText, network_scene, scene_svg

        svg = SVGText(scene_svg(network_scene(self)))
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(svg)
        return svg

    def to_png(self, path=None, scale: float = 2) -> bytes:
        """The network as a PNG picture, ``scale`` pixels per canvas pixel (see ``to_svg``).
        Returns the PNG bytes (a notebook shows them as the picture); writes them to ``path``
        too when given."""
        from .picture import PNGBytes, network_scene, scene_png

        png = PNGBytes(scene_png(network_scene(self), scale))
        if path is not None:
            with open(path, "wb") as f:
                f.write(png)
        return png

    def load_json(self, text) -> None:
        """Replace this editor's graph by a saved one (one undoable step); on error the editor
        is left untouched."""
        graph = serialization.loads(text)
        with self._edit("Load graph"):
            self.clear()
            self._load_graph(graph, None)

    def _load_graph(self, graph: Graph, label: str | None):
        """Add checked cards and wires (their uids and ids kept) as one step."""
        with self._edit(label):
            for c in graph.cards.values():
                params = {k: v for k, v in c.params.items() if k != "name"}
                widget = card_class(c.card_id)(name=c.name, uid=c.uid,
                                               position=c.position or None, **params)
                self._add_widget(widget, None)
            for w in graph.wires.values():
                self.graph_model.add_wire(w.copy())

    # -- requests from the view --------------------------------------------------------------
    def _handle_view_request(self, _widget, content, _buffers):
        """Answer one request of the view (docs/protocol.md): checked against the protocol,
        applied as one undoable step, refused (changing nothing) with a message on error."""
        if not isinstance(content, dict) or "request_id" not in content:
            return
        reply = {"type": "reply", "request_id": content["request_id"], "ok": True, "error": "",
                 "result": {}}
        try:
            kind, fields = protocol.check_request(content)
            handler = getattr(self, f"_request_{kind}")
            if kind in ("undo", "redo", "catalog", "to_json", "previews"):  # not edits
                reply["result"] = handler(**fields)
            else:
                with self._edit(None):
                    reply["result"] = handler(**fields) or {}
        except (NNCardsError, TraitError, catalog.UnknownCardError) as exc:
            reply.update(ok=False, error=str(exc))
        except Exception as exc:  # a bug: still refused (the step was rolled back), and said so
            _log.exception("Request %r failed", content.get("type"))
            reply.update(ok=False, error=f"Internal error ({type(exc).__name__}: "
                                         f"{catalog.short_repr(str(exc))}); nothing was changed")
        self._release_graph_sync()  # the view sees the new nodes/edges before the reply
        self._send_undo_state()
        self.send(reply)
        return reply

    def _request_add(self, card_id, position=None, params=None):
        card = self.add(card_id, position=position, **(params or {}))
        return {"uid": card.uid}

    def _request_remove(self, cards=(), wires=()):
        g = self.graph_model
        uids = list(dict.fromkeys(self.card(uid).uid for uid in cards))  # all known, first
        for wid in wires:
            if wid not in g.wires:
                raise NotFoundError(f"No wire {catalog.short_repr(wid)} in this editor")
        removed_wires = {}
        for wid in wires:
            removed_wires[wid] = g.wires[wid]
        for uid in uids:
            for w in g.wires_into(uid) + g.wires_from(uid):
                removed_wires[w.id] = w
        explicit = [w for w in dict.fromkeys(wires)
                    if g.wires[w].source not in uids and g.wires[w].target not in uids]
        result = {"removed": {"cards": [serialization.card_to_dict(g.cards[u]) for u in uids],
                              "wires": [serialization.wire_to_dict(w)
                                        for w in removed_wires.values()]}}
        if len(uids) == 1 and not explicit:
            label = f"Delete {g.cards[uids[0]].spec.title} '{g.cards[uids[0]].name}'"
        elif uids and explicit:
            label = f"Delete {_count(len(uids), 'card')} and {_count(len(explicit), 'wire')}"
        elif uids:
            label = f"Delete {_count(len(uids), 'card')}"
        elif len(explicit) == 1:
            label = f"Disconnect {self._wire_text(g.wires[explicit[0]])}"
        else:
            label = f"Delete {_count(len(explicit), 'wire')}"
        with self._edit(label):
            for wid in removed_wires:
                if wid in g.wires:
                    g.remove_wire(wid)
            for uid in uids:
                g.remove_card(uid)
        return result

    def _request_connect(self, source, target, source_port=None, target_port=None):
        wire = self._connect(self.card(source).uid, source_port, self.card(target).uid,
                             target_port)
        return {"wire": serialization.wire_to_dict(self.graph_model.wires[wire.id])}

    def _request_disconnect(self, wire):
        w = self.graph_model.wires.get(wire)
        if w is None:
            raise NotFoundError(f"No wire {catalog.short_repr(wire)} in this editor")
        data = serialization.wire_to_dict(w)
        self.disconnect(wire)
        return {"wire": data}

    def _request_set_param(self, uid, name, value):
        card = self.card(uid)
        if name not in card.param_names() and name != "name":
            raise NotFoundError(f"Card '{card.name}' ({card.spec.title}) has no parameter "
                                f"{catalog.short_repr(name)}; its parameters are: "
                                f"{', '.join(card.param_names()) or 'none'}")
        if name != "name" and card.spec.input(name).type in ("Python", "Graph"):
            raise TraitError(f"Parameter '{card.spec.input(name).label}' ({name}) of card "
                             f"'{card.name}' holds a Python value kept in the kernel: it is "
                             f"read-only on the canvas (set it in Python)")
        old = getattr(card, name)
        setattr(card, name, value)
        return {"old": old}

    def _request_move(self, positions):
        cards = [self.card(uid) for uid in positions]  # every uid known before anything moves
        old = {c.uid: dict(self.graph_model.cards[c.uid].position or {}) for c in cards}
        label = (f"Move '{cards[0].name}'" if len(cards) == 1
                 else f"Move {_count(len(cards), 'card')}")
        with self._edit(label):
            for card, pos in zip(cards, positions.values(), strict=True):
                card.position = {"x": float(pos["x"]), "y": float(pos["y"])}
        return {"old": old}

    def _request_restore(self, cards=(), wires=()):
        trial = self.graph_model.copy()
        new_cards = [serialization.card_from_dict(e) for e in cards]
        for c in new_cards:
            if c.uid in trial.cards:
                raise GraphFileError(f"Cannot restore card '{c.name}': uid {c.uid!r} is in use")
            trial.add_card(c.copy())
        new_wires = [serialization.wire_from_dict(e) for e in wires]
        serialization.add_wires_checked(trial, new_wires)  # all checked before anything changes
        n = len(new_cards) or len(new_wires)
        what = "card" if new_cards else "wire"
        self._load_graph(Graph(cards=new_cards), f"Restore {_count(n, what)}")
        with self._edit(None):
            for w in new_wires:
                self.graph_model.add_wire(w.copy())
        return {}

    def _request_undo(self):
        return {"label": self.undo()}

    def _request_redo(self):
        return {"label": self.redo()}

    def _request_catalog(self):
        # the package's catalogue only: cards made in this kernel come with card_specs
        return {"version": _catalog_version(), "cards": list(_catalog_dicts())}

    def _request_previews(self, cards):
        return {"made": self._inspector.make(cards)}

    def _request_to_json(self):
        return {"graph": json.loads(self.to_json(indent=None)),
                "file": str(self.path) if self.path is not None else None}

    def _request_load(self, graph):
        self.load_json(json.dumps(graph))
        return {"cards": len(self.graph_model.cards)}

"""Stateful fuzzing of the editor: random edits through the Python API and through view
requests (sent to the editor's request handler as the view sends them), interleaved with undo,
redo, build, live shapes and saving.

After every step:
- what the view sees (the ipycytoscape node and edge lists, each card's and wire's synced
  traits, the undo toolbar state) is the Python graph;
- a refused call or request changed nothing (graph, history) and said what was wrong with one
  of the library's errors; nothing else escapes (no raw KeyError, TypeError ...);
- the saved text reads back to the very same text.

Fixed seeds (derandomize): the same sequences run every time, bounded to well under three
minutes on a shared two-core machine.
"""

from __future__ import annotations

import itertools
import math
import warnings

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition,
                                 rule)
from traitlets import TraitError

from nncards_widget import NetworkEditor, catalog, serialization
from nncards_widget.errors import BuildError, NNCardsError

#: Cards the machine adds: tensors through one and several inputs, Layer instances into a
#: wrapper, initializers into parameter ports, Input and Output.
CARD_IDS = ["input", "output", "layer_Dense", "layer_Dropout", "mergeLayer2_Concatenate",
            "layer_Concatenate", "mergeLayer2_Add", "layer_Flatten", "layer_Reshape",
            "layer_LSTM", "layer_Bidirectional", "initializer_GlorotUniform", "apply_layer"]
#: Parameter values tried on any parameter: some valid somewhere, many not.
VALUES = [1, 2, 3, 0, -1, 0.5, 1.5, math.nan, math.inf, 2 ** 60, True, False, None, "relu",
          "same", "bogus", "", [2], [4], [2, 2], [1, 4], [], [0], ["x"], {"a": 1}]
NAMES = ["a", "b", "dense", "x", "y", "hidden layer", "", "a/b", "_x", "x.1-b", 7]
COORDS = [0, 12.5, -300, 1e6, math.nan, math.inf, "1", None, 10 ** 400, True]
MAX_CARDS = 9
#: Parameter keys given to add: 'unitz' (no card has it), 'name', else one of the card's own.
PARAM_KEYS = ["p0", "p1", "p2", "p3", "p4", "unitz", "name"]

#: What a refused Python call may raise: the library's errors (and TraitError for values).
REFUSALS = (NNCardsError, TraitError, catalog.UnknownCardError)

_request_ids = itertools.count(1)


def _state(ed):
    """Everything a refusal must leave as it was."""
    return ed.to_json(), dict(ed.undo_state)


class EditorMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.ed = NetworkEditor()
        self.removed = []  # 'removed' results of accepted remove requests (for restore)
        warnings.simplefilter("ignore")  # dangling-card warnings of build()

    def teardown(self):
        self.ed.close()

    # -- helpers -------------------------------------------------------------------------------
    def _uid(self, i):
        uids = list(self.ed.graph_model.cards)
        return uids[i % len(uids)] if uids else "card-none"

    def _wid(self, i):
        wids = list(self.ed.graph_model.wires)
        return wids[i % len(wids)] if wids else "wire-none"

    def call(self, fn, *args, **kwargs):
        """A Python call: applied, or refused with a library error changing nothing."""
        before = _state(self.ed)
        try:
            return fn(*args, **kwargs)
        except REFUSALS as exc:
            assert str(exc).strip(), f"{type(exc).__name__} without a message"
            assert _state(self.ed) == before, f"refused ({exc}) but changed"
            return None

    def request(self, type_, **fields):
        """A view request, as the view sends it: answered, never raising."""
        before = _state(self.ed)
        reply = self.ed._handle_view_request(
            self.ed, {"request_id": next(_request_ids), "type": type_, **fields}, None)
        assert reply["type"] == "reply" and set(reply) >= {"ok", "error", "result"}
        if not reply["ok"]:
            assert reply["error"].strip()
            assert not reply["error"].startswith("Internal error"), reply["error"]
            assert _state(self.ed) == before, f"refused ({reply['error']}) but changed"
        return reply

    @initialize(hidden=st.sampled_from(["layer_Dense", "layer_Dropout", "layer_Flatten"]),
                view=st.booleans())
    def start_from_a_small_network(self, hidden, view):
        """x -> hidden -> y, made through the Python API or through view requests."""
        ed = self.ed
        if view:
            x = self.request("add", card_id="input", params={"shape": [4]})["result"]["uid"]
            h = self.request("add", card_id=hidden)["result"]["uid"]
            y = self.request("add", card_id="output")["result"]["uid"]
            for a, b in ((x, h), (h, y)):
                assert self.request("connect", source=a, target=b)["ok"]
        else:
            x, h, y = ed.add("input", shape=[4]), ed.add(hidden), ed.add("output")
            ed.connect(x, h)
            ed.connect(h, y)
        assert len(ed.graph_model.cards) == 3 and len(ed.graph_model.wires) == 2

    # -- edits ---------------------------------------------------------------------------------
    @precondition(lambda self: len(self.ed.graph_model.cards) < MAX_CARDS)
    @rule(card_id=st.sampled_from(CARD_IDS), view=st.booleans())
    def add_with_defaults(self, card_id, view):
        if view:
            self.request("add", card_id=card_id)
        else:
            self.call(self.ed.add, card_id)

    @precondition(lambda self: len(self.ed.graph_model.cards) < MAX_CARDS)
    @rule(card_id=st.sampled_from(CARD_IDS + ["no_such_card"]), view=st.booleans(),
          params=st.dictionaries(st.sampled_from(PARAM_KEYS), st.sampled_from(VALUES + NAMES),
                                 max_size=1),
          placed=st.booleans(), x=st.sampled_from(COORDS))
    def add(self, card_id, view, params, placed, x):
        try:
            spec = catalog.get(card_id)
        except catalog.UnknownCardError:
            spec = None
        if spec is not None:  # mostly parameters the card has
            own = [p.name for p in spec.params if p.name != "name"]
            params = {(own[PARAM_KEYS.index(k) % len(own)] if own and k not in ("unitz", "name")
                       else k): v for k, v in params.items()}
        position = {"x": x, "y": 40} if placed else None
        if view:
            fields = {"card_id": card_id, "params": params}
            if position is not None:
                fields["position"] = position
            self.request("add", **fields)
        else:
            name = params.pop("name", None)
            self.call(self.ed.add, card_id, name=name, position=position, **params)

    @rule(src=st.integers(0, 20), dst=st.integers(0, 20), view=st.booleans())
    def connect_tensors(self, src, dst, view):
        """A wire the rules likely allow: from a card with a Tensor output into one with a
        free Tensor input."""
        g = self.ed.graph_model
        outs = [u for u, c in g.cards.items() if any(o.type == catalog.TENSOR
                                                      for o in c.spec.outputs)]
        ins = [u for u, c in g.cards.items() if any(i.type == catalog.TENSOR
                                                     for i in c.spec.ports)]
        if outs and ins:
            self.connect(outs[src % len(outs)], ins[dst % len(ins)], view, "default", 0)

    @rule(src=st.integers(0, 20), dst=st.integers(0, 20), view=st.booleans(),
          ports=st.sampled_from(["default", "named", "bogus"]), pick=st.integers(0, 20))
    def connect(self, src, dst, view, ports, pick):
        g = self.ed.graph_model
        source = src if isinstance(src, str) else self._uid(src)
        target = dst if isinstance(dst, str) else self._uid(dst)
        sp = tp = None
        if ports == "bogus":
            sp, tp = "no_port", "input"
        elif ports == "named" and source in g.cards and target in g.cards:
            outs, ins = g.cards[source].spec.outputs, g.cards[target].spec.ports
            sp = outs[pick % len(outs)].name if outs else "none"
            tp = ins[pick % len(ins)].name if ins else "none"
        if view:
            fields = {"source": source, "target": target}
            fields.update({k: v for k, v in (("source_port", sp), ("target_port", tp)) if v})
            self.request("connect", **fields)
        else:
            ed = self.ed
            s = ed.card_widget(source) or source
            t = ed.card_widget(target) or target
            if sp is not None and not isinstance(s, str) and not isinstance(t, str):
                try:
                    s, t = s[sp], t[tp]
                except KeyError as exc:  # an unknown port: a KeyError naming it, as for a dict
                    assert "has no port" in str(exc)
                    return
            self.call(ed.connect, s, t)

    @rule(i=st.integers(0, 20), view=st.booleans(), bogus=st.booleans())
    def disconnect(self, i, view, bogus):
        wid = "wire-nope" if bogus else self._wid(i)
        if view:
            self.request("disconnect", wire=wid)
        else:
            self.call(self.ed.disconnect, wid)

    @rule(i=st.integers(0, 20), pick=st.integers(0, 40), value=st.sampled_from(VALUES),
          view=st.booleans())
    def set_param(self, i, pick, value, view):
        uid = self._uid(i)
        card = self.ed.card_widget(uid)
        names = card.param_names() + ["bogus"] if card else ["units"]
        name = names[pick % len(names)]
        if view:
            self.request("set_param", uid=uid, name=name, value=value)
        elif card is not None and name != "bogus":
            self.call(setattr, card, name, value)

    @rule(i=st.integers(0, 20), name=st.sampled_from(NAMES), view=st.booleans())
    def rename(self, i, name, view):
        uid = self._uid(i)
        if view:
            self.request("set_param", uid=uid, name="name", value=name)
        elif self.ed.card_widget(uid) is not None:
            self.call(setattr, self.ed.card_widget(uid), "name", name)

    @rule(cards=st.lists(st.integers(0, 20), max_size=3), wires=st.lists(st.integers(0, 20),
                                                                         max_size=1),
          extra=st.sampled_from([None, "card-nope", "wire-nope", "dup"]), view=st.booleans())
    def remove(self, cards, wires, extra, view):
        uids = [self._uid(i) for i in cards]
        wids = [self._wid(i) for i in wires]
        if extra == "card-nope":
            uids.append(extra)
        elif extra == "wire-nope":
            wids.append(extra)
        elif extra == "dup" and uids:
            uids.append(uids[0])
        if view:
            reply = self.request("remove", cards=uids, wires=wids)
            if reply["ok"]:
                self.removed.append(reply["result"]["removed"])
        else:
            for item in uids[:1] or wids[:1]:
                self.call(self.ed.remove, self.ed.card_widget(item) or item)

    @rule(moves=st.lists(st.tuples(st.integers(0, 20), st.sampled_from(COORDS[:4]),
                                   st.sampled_from(COORDS[:4])), min_size=1, max_size=3),
          hostile=st.sampled_from([None, "unknown card", "bad coordinate"]),
          bad=st.sampled_from(COORDS[4:]), view=st.booleans())
    def move(self, moves, hostile, bad, view):
        positions = {self._uid(i): {"x": x, "y": y} for i, x, y in moves}
        if hostile == "unknown card":
            positions["card-nope"] = {"x": 1, "y": 2}
        elif hostile == "bad coordinate":
            positions[next(reversed(positions))]["y"] = bad
        if view:
            self.request("move", positions=positions)
        else:
            for uid, pos in positions.items():
                card = self.ed.card_widget(uid)
                if card is not None:
                    self.call(setattr, card, "position", pos)

    @precondition(lambda self: self.removed)
    @rule(i=st.integers(0, 20), part=st.sampled_from(["all", "cards", "wires", "garbage"]))
    def restore(self, i, part):
        removed = self.removed[i % len(self.removed)]
        if part == "garbage":
            self.request("restore", cards=[{"uid": "", "card_id": 3}], wires=[{"id": "w"}])
        elif part == "cards":
            self.request("restore", cards=removed["cards"])
        elif part == "wires":
            self.request("restore", wires=removed["wires"])
        else:
            self.request("restore", cards=removed["cards"], wires=removed["wires"])

    @rule(view=st.booleans(), redo=st.booleans())
    def undo_or_redo(self, view, redo):
        what = "redo" if redo else "undo"
        if view:
            self.request(what)
        else:
            self.call(getattr(self.ed, what))

    # -- reading the graph ------------------------------------------------------------------
    @rule()
    def build(self):
        before = _state(self.ed)
        try:
            model = self.ed.build()
        except BuildError as exc:
            assert str(exc).strip()
        else:
            assert model is self.ed.model
        assert _state(self.ed) == before  # building never changes the graph

    @rule()
    def refresh_shapes(self):
        self.ed.refresh_shapes()
        assert not self.ed.live_shapes.pending

    @rule(into_this_editor=st.booleans())
    def save_and_load(self, into_this_editor):
        text = self.ed.to_json()
        if into_this_editor:  # one undoable step that replaces the graph by the same one
            self.call(self.ed.load_json, text)
            assert self.ed.to_json() == text
        else:
            other = NetworkEditor.from_json(text)
            try:
                assert other.to_json() == text
            finally:
                other.close()

    # -- invariants ------------------------------------------------------------------------------
    @invariant()
    def the_view_shows_the_python_graph(self):
        ed, g = self.ed, self.ed.graph_model
        nodes, edges = ed.graph.nodes, ed.graph.edges
        assert [n.data["id"] for n in nodes] == list(g.cards)
        assert [e.data["id"] for e in edges] == list(g.wires)
        assert nodes == ed.cards and edges == ed.wires
        state = ed.graph.get_state()
        assert state["nodes"] == [f"IPY_MODEL_{n.model_id}" for n in nodes]
        assert state["edges"] == [f"IPY_MODEL_{e.model_id}" for e in edges]
        for card in nodes:
            data = g.cards[card.uid]
            assert card.comm is not None and card.card_id == data.card_id
            assert card.name == data.name and card.params == data.params
            assert dict(card.position) == dict(data.position)
        for wire in edges:
            w = g.wires[wire.id]
            assert wire.comm is not None
            assert (wire.data["source"], wire.data["source_port"], wire.data["target"],
                    wire.data["target_port"]) == (w.source, w.source_port, w.target,
                                                  w.target_port)
            assert wire.source_card is ed.card_widget(w.source)
            assert wire.target_card is ed.card_widget(w.target)
        assert ed.undo_state == ed._history.state()

    @invariant()
    def the_saved_text_reads_back_the_same(self):
        text = self.ed.to_json()
        assert serialization.dumps(serialization.loads(text)) == text


EditorMachine.TestCase.settings = settings(
    derandomize=True, database=None, deadline=None, max_examples=100, stateful_step_count=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestEditorFuzz = EditorMachine.TestCase


#: Any JSON value, small: what a broken or hostile view could send.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats()
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8)
_FIELDS = ["card_id", "position", "params", "cards", "wires", "source", "source_port", "target",
           "target_port", "wire", "uid", "name", "value", "positions", "graph", "x"]


@pytest.fixture(scope="module")
def machine():
    """One editor for every example (a new one per example would cost the time of a Keras
    session each); closed at the end."""
    m = EditorMachine()
    m.start_from_a_small_network("layer_Dense", False)
    yield m
    m.teardown()


@settings(derandomize=True, database=None, deadline=None, max_examples=150,
          suppress_health_check=[HealthCheck.too_slow])
@given(type_=st.sampled_from(["add", "remove", "connect", "disconnect", "set_param", "move",
                              "restore", "undo", "redo", "bogus"]),
       fields=st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=4),
       known=st.booleans())
def test_any_request_is_answered_and_a_refusal_changes_nothing(machine, type_, fields, known):
    """Requests with any JSON in their fields (uids of the graph's cards or wires mixed in):
    always a reply, never a raised exception or an internal error; refused -> unchanged."""
    ed = machine.ed
    if not ed.graph_model.cards:
        machine.start_from_a_small_network("layer_Dense", False)
    if known:  # aim the hostile values at real cards and wires
        for key in ("uid", "source", "target"):
            if key in fields:
                fields[key] = next(iter(ed.graph_model.cards))
        if "wire" in fields and ed.graph_model.wires:
            fields["wire"] = next(iter(ed.graph_model.wires))
    machine.request(type_, **fields)
    machine.the_view_shows_the_python_graph()
    machine.the_saved_text_reads_back_the_same()


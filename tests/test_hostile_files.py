"""Hostile saved graphs: each is refused with GraphFileError, quickly, in bounded memory, with a
short message naming what is wrong, and without running or importing anything from the file."""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest

from nncards_widget import GraphFileError, NetworkEditor, catalog, serialization
from nncards_widget.serialization import FORMAT, MAX_CARDS, MAX_TEXT_SIZE, MAX_WIRES

#: Generous bounds for one refusal on a shared CI machine (the measured times are far lower).
SECONDS = 2.0
PEAK_MB = 200
MESSAGE_CHARS = 600


def _card(uid, card_id="layer_Dense", name=None, **extra):
    entry = {"uid": uid, "card_id": card_id, "name": name or uid,
             "position": {"x": 1.0, "y": 2.0}, "params": {"units": 2} if card_id == "layer_Dense"
             else {"shape": [4]} if card_id == "input" else {}}
    entry.update(extra)
    return entry


def _wire(wid, source, target, source_port="output", target_port="input"):
    return {"id": wid, "source": source, "source_port": source_port, "target": target,
            "target_port": target_port}


def _doc(cards=None, wires=None, **extra):
    """A small valid graph (Input -> Dense -> Output) unless cards/wires are given."""
    if cards is None:
        cards = [_card("x", "input", "x"), _card("d", name="dense"), _card("y", "output", "y")]
    if wires is None:
        wires = [_wire("w1", "x", "d", source_port="data"), _wire("w2", "d", "y",
                                                                  target_port="data")]
    return dict({"format": FORMAT, "schema": 1, "cards": cards, "wires": wires}, **extra)


def _text(doc):
    return json.dumps(doc)


def _with_card(**changes):
    doc = _doc()
    doc["cards"][1].update(changes)
    return _text(doc)


def _with_param(value_text):
    """The sample graph with the Dense card's units written as ``value_text`` (raw JSON)."""
    return _text(_doc()).replace('"units": 2', f'"units": {value_text}')


def _chain(n, reverse=False, close_cycle=False):
    """Input -> n Dense cards in a chain (wires listed backwards if ``reverse``); with
    ``close_cycle`` the last wire goes from the last Dense back into the first one instead."""
    cards = [_card("in", "input", "x")] + [_card(f"c{i}") for i in range(n)]
    wires = [_wire(f"w{i}", f"c{i - 1}", f"c{i}") for i in range(1, n)]
    if close_cycle:
        wires.append(_wire("back", f"c{n - 1}", "c0"))
    else:
        wires.insert(0, _wire("w0", "in", "c0", source_port="data"))
    if reverse:
        wires.reverse()
    return _text(_doc(cards=cards, wires=wires))


def _nested(depth):
    return _with_param("[" * depth + "]" * depth)


#: name -> (function making the file, fragments the message must contain). Files are made
#: inside the test, outside the measured time and memory.
HOSTILE = {
    "too large (text)": (lambda: " " * (MAX_TEXT_SIZE + 1), ["more than the 50,000,000"]),
    "too large (bytes)": (lambda: b" " * (MAX_TEXT_SIZE + 1), ["more than the 50,000,000"]),
    "deeply nested lists": (lambda: "[" * 200_000 + "]" * 200_000, ["nested more than"]),
    "deeply nested, never closed": (lambda: '{"a": ' * 500_000, ["nested more than"]),
    "deeply nested parameter": (lambda: _nested(5_000), ["nested more than"]),
    "nesting hidden behind brackets in a string": (
        lambda: _text(_doc(note="]" * 100)).replace('"units": 2', '"units": ' + "[" * 50),
        ["nested more than"]),
    "millions of values": (lambda: _text(_doc(junk=[0] * 3_000_000)), ["values, more than"]),
    "too many cards": (lambda: _text(_doc(cards=[{"uid": ""}] * (MAX_CARDS + 1), wires=[])),
                       [f"{MAX_CARDS + 1:,} cards"]),
    "too many wires": (lambda: _text(_doc(wires=[{}] * (MAX_WIRES + 1))),
                       [f"{MAX_WIRES + 1:,} wires"]),
    "invalid UTF-8": (lambda: _text(_doc()).replace('"dense"', '"dense\\u00ff"').encode()
                      .replace(b"\\u00ff", b"\xff"), ["not UTF-8", "0xff"]),
    "lone surrogate in a name": (lambda: _text(_doc()).replace('"dense"', '"dense\\ud800"'),
                                 ["card #1", "'name'", "not valid Unicode"]),
    "name with '/'": (lambda: _with_card(name="a/b"), ["card #1", "without '/'"]),
    "blank name": (lambda: _with_card(name="   "), ["card #1", "non-empty"]),
    "empty uid": (lambda: _with_card(uid=""), ["card #1", "'uid'", "non-empty"]),
    "uid with surrounding spaces": (lambda: _with_card(uid=" d "), ["card #1", "'uid'"]),
    "position without y": (lambda: _with_card(position={"x": 3}), ["card #1", "'position'"]),
    "position as a list": (lambda: _with_card(position=[1, 2]), ["card #1", "'position'"]),
    "position as a string": (lambda: _with_card(position="left"), ["card #1", "'position'"]),
    "position as an empty list": (lambda: _with_card(position=[]), ["card #1", "'position'"]),
    "position as false": (lambda: _with_card(position=False), ["card #1", "'position'"]),
    "position with an extra key": (lambda: _with_card(position={"x": 1, "y": 2, "z": 3}),
                                   ["card #1", "'position'"]),
    "position NaN": (lambda: _text(_doc()).replace('"y": 2.0', '"y": NaN', 1),
                     ["NaN is not a number"]),
    "position -Infinity": (lambda: _text(_doc()).replace('"y": 2.0', '"y": -Infinity', 1),
                           ["-Infinity is not a number"]),
    "position overflowing to infinity": (lambda: _text(_doc()).replace('"y": 2.0', '"y": 1e999'),
                                         ["card #0", "'position'"]),
    "position: huge integer": (lambda: _text(_doc()).replace('"y": 2.0', '"y": 1' + "0" * 400),
                               ["card #0", "'position'"]),
    "integer with too many digits": (lambda: _with_param("1" * 5_000), ["digits"]),
    "Float parameter overflowing to infinity": (
        lambda: _text(_doc(cards=[_card("r", "layer_ReLU", params={"threshold": 1}),
                                  _card("y", "output")], wires=[]))
        .replace('"threshold": 1', '"threshold": 1e999'),
        ["card #0", "'Threshold'", "finite"]),
    "huge list as a parameter": (lambda: _with_param(json.dumps([1] * 1_000_000)),
                                 ["card #1", "'Units'", "..."]),
    "huge string as a card id": (lambda: _with_card(card_id="x" * 10_000_000),
                                 ["card #1", "unknown card id", "..."]),
    "huge string as a parameter": (lambda: _with_card(params={"activation": "r" * 10_000_000}),
                                   ["'Activation'", "..."]),
    "huge object as a parameter": (
        lambda: _with_card(params={"units": {str(i): i for i in range(200_000)}}),
        ["'Units'", "..."]),
    "unknown parameter with a huge name": (lambda: _with_card(params={"k" * 1_000_000: 1}),
                                           ["unknown parameter", "..."]),
    "code as a card id": (lambda: _with_card(card_id="os.system"), ["unknown card id"]),
    "code as a parameter": (lambda: _with_card(params={"activation": "__import__('os')"}),
                            ["'Activation'", "one of"]),
    "duplicate card uid": (lambda: _text(_doc(cards=[_card("a"), _card("a")], wires=[])),
                           ["card #1", "duplicate uid 'a'"]),
    "duplicate wire id": (lambda: _text(_doc(wires=[_wire("w", "x", "d", source_port="data"),
                                                    _wire("w", "d", "y", target_port="data")])),
                          ["wire #1", "duplicate wire id 'w'"]),
    "wire id that is a card uid": (
        lambda: _text(_doc(wires=[_wire("d", "x", "d", source_port="data")])),
        ["wire #0", "uid of a card"]),
    "empty wire id": (lambda: _text(_doc(wires=[_wire("", "x", "d", source_port="data")])),
                      ["wire #0", "'id'"]),
    "wire to no card": (lambda: _text(_doc(wires=[_wire("w", "x", "nope", source_port="data")])),
                        ["wire #0", "'nope' is not a card"]),
    "huge output port name": (
        lambda: _text(_doc(wires=[_wire("w", "x", "d", source_port="p" * 1_000_000)])),
        ["wire #0", "has no output", "..."]),
    "huge input port name": (
        lambda: _text(_doc(wires=[_wire("w", "x", "d", "data", target_port="q" * 1_000_000)])),
        ["wire #0", "no input port", "..."]),
    "wire as a string": (lambda: _text(_doc(wires=["x->d"])), ["wire #0", "expected an object"]),
    "two wires into one input": (
        lambda: _text(_doc(wires=[_wire("w1", "x", "d", source_port="data"),
                                  _wire("w2", "x", "d", source_port="data")])),
        ["wire #1", "already has a wire"]),
    "cycle": (lambda: _chain(50, close_cycle=True), ["cycle", "'c0' (Dense layer)"]),
    "not an object": (lambda: "[1, 2, 3]", ["Not a saved nncards_widget graph"]),
    "not JSON": (lambda: "format: nncards_widget.graph", ["invalid JSON"]),
    "cards as an object": (lambda: _text(_doc(cards={})), ["list of 'cards'"]),
}


@pytest.fixture(scope="module", autouse=True)
def _catalogue_loaded():
    """The catalogue is generated from Keras on first use (seconds): not part of any refusal."""
    catalog.cards()


def _refusal(source):
    """Load ``source`` twice: timed, then under tracemalloc (which slows allocation down).
    Returns (message, seconds, peak MB) of the GraphFileError it must raise."""
    start = time.perf_counter()
    with pytest.raises(GraphFileError) as err:
        serialization.loads(source)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        with pytest.raises(GraphFileError):
            serialization.loads(source)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return str(err.value), seconds, peak


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_is_refused_quickly_in_bounded_memory(case):
    make, fragments = HOSTILE[case]
    source = make()
    message, seconds, peak = _refusal(source)
    for fragment in fragments:
        assert fragment in message, (case, fragment, message)
    assert len(message) < MESSAGE_CHARS, (case, len(message), message[:MESSAGE_CHARS])
    assert seconds < SECONDS, f"{case}: refused after {seconds:.2f} s"
    assert peak < PEAK_MB, f"{case}: {peak:.0f} MB allocated while refusing it"


@pytest.fixture(scope="module")
def editor():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    ed.connect(x, ed.add("Dense", name="d", units=3))
    return ed


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_refused_file_leaves_the_editor_as_it_was(editor, case):
    before = editor.to_json()
    source = HOSTILE[case][0]()
    with pytest.raises(GraphFileError):
        editor.load_json(source)
    assert editor.to_json() == before
    assert [c.name for c in editor.cards] == ["x", "d"] and len(editor.wires) == 1
    with pytest.raises(GraphFileError):
        NetworkEditor.from_json(source)


def test_the_sample_graph_itself_loads():
    """The hostile files are the sample graph with one thing wrong: the sample is fine."""
    graph = serialization.loads(_text(_doc()))
    assert list(graph.cards) == ["x", "d", "y"] and list(graph.wires) == ["w1", "w2"]
    assert graph.cards["d"].params == {"units": 2}
    graph = serialization.loads(_chain(50, reverse=True))
    assert len(graph.cards) == 51 and len(graph.wires) == 50
    assert graph.topological_order() == ["in"] + [f"c{i}" for i in range(50)]


def test_values_from_the_file_are_data():
    """Strings that look like code stay strings: such a name is refused as a name (a card's
    name is its Keras layer name), quoted as the file has it; a name Keras can use is kept."""
    with pytest.raises(GraphFileError, match=r"card #1.*__import__\('os'\)\.system\('x'\)"):
        serialization.loads(_with_card(name="__import__('os').system('x')"))
    graph = serialization.loads(_with_card(name="os.system-x"))
    assert graph.cards["d"].name == "os.system-x"


def _refusal_time(text):
    start = time.perf_counter()
    with pytest.raises(GraphFileError, match="cycle"):
        serialization.loads(text)
    return time.perf_counter() - start


def test_checking_wires_grows_linearly():
    """4x the cards and wires costs about 4x the time (a quadratic check would cost 16x).

    The wires are listed last-first and the last one closes a cycle, so every wire is checked
    before the file is refused: the worst order for a per-wire "does this close a cycle" walk.
    The two sizes are timed in turns and the best of each kept (the machine is shared).
    """
    small, large = (_chain(n, reverse=True, close_cycle=True) for n in (1_000, 4_000))
    _refusal_time(small)  # warm up (the catalogue loads on first use)
    times = {small: [], large: []}
    for _ in range(5):
        for text in (small, large):
            times[text].append(_refusal_time(text))
    ratio = min(times[large]) / min(times[small])
    assert ratio < 8, f"4x the wires took {ratio:.1f}x the time"


def test_a_large_valid_file_loads_in_bounded_time():
    text = _chain(5_000)
    start = time.perf_counter()
    graph = serialization.loads(text)
    seconds = time.perf_counter() - start
    assert len(graph.cards) == 5_001 and len(graph.wires) == 5_000
    assert seconds < 5 * SECONDS, f"5,000 cards took {seconds:.1f} s to check"


def test_a_file_near_the_limits_loads_in_bounded_time_and_memory():
    """Nearly 50 MB holding nearly the most values allowed (long numbers: the costliest to
    parse) is read, not refused, in bounded time and memory (unknown top-level keys are
    ignored)."""
    doc = _text(_doc(notes=[1.2345678901234567] * 1_900_000))
    assert 30_000_000 < len(doc) < MAX_TEXT_SIZE
    start = time.perf_counter()
    assert list(serialization.loads(doc).cards) == ["x", "d", "y"]
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        serialization.loads(doc)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert seconds < 5 * SECONDS, f"{seconds:.1f} s"
    assert peak < PEAK_MB, f"{peak:.0f} MB"

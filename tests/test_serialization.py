"""to_json / from_json: lossless round trip; bad files rejected naming the entry; data only."""

from __future__ import annotations

import json

import pytest
from traitlets import TraitError

from nncards_widget import GraphFileError, NetworkEditor, catalog
from nncards_widget.serialization import FORMAT, SCHEMA_VERSION


def _sample_value(p):
    """A valid non-default value for a parameter (used to set every parameter of every card)."""
    if p.name == "name":
        return None
    if p.choices:
        others = [c for c in p.choices if c != p.default]
        return others[-1]
    if p.type == "Boolean":
        return not p.default
    if p.type == "String":
        return "text"
    lo = max(p.minimum or 0, 1) if p.type == "Integer" or p.is_list else max(p.minimum or 0.0, 0.0)
    hi = p.maximum if p.maximum is not None else lo + 10
    if p.is_list:
        n = p.length or 2
        value = [int(lo) + i for i in range(n)]
        return value if value != p.default else [v + 1 for v in value]
    if p.type == "Integer":
        return next(v for v in range(int(lo) + 2, int(lo) - 1, -1) if v <= hi and v != p.default)
    return next(v for v in ((lo + hi) / 4 + 0.125, (lo + hi) / 3) if v != p.default)


def _every_card_editor():
    ed = NetworkEditor()
    for i, spec in enumerate(catalog.cards()):
        params = {p.name: _sample_value(p) for p in spec.params if p.name != "name"}
        ed.add(spec.id, name=f"c{i}_{spec.default_name}", position={"x": 10.5 * i, "y": -3.25 * i},
               **params)
    return ed


def test_round_trip_is_lossless_for_every_parameter_of_every_card():
    ed = _every_card_editor()
    # Some wires of each kind.
    c = {card.spec.id: card for card in ed.cards}
    ed.connect(c["input"], c["layer_Dense"])
    ed.connect(c["initializer_GlorotNormal"], c["layer_Dense"]["Kernel initializer"])
    ed.connect(c["regularizer_l2"], c["layer_Dense"]["Activity regularizer"])
    ed.connect(c["constraint_NonNeg"], c["layer_Dense"]["Bias constraint"])
    ed.connect(c["layer_LSTM"]["Layer instance"], c["layer_Bidirectional"]["Layer"])
    ed.connect(c["layer_Dense"], c["mergeLayer2_Add"]["Input B"])
    ed.connect(c["mergeLayer2_Add"], c["output"])
    text = ed.to_json()
    doc = json.loads(text)
    assert doc["format"] == FORMAT and doc["schema"] == SCHEMA_VERSION == 1
    assert len(doc["cards"]) == len(catalog.cards()) and len(doc["wires"]) == 7

    ed2 = NetworkEditor.from_json(text)
    assert len(ed2.cards) == len(ed.cards)
    for a, b in zip(ed.cards, ed2.cards, strict=True):
        assert (b.uid, b.spec.id, b.name, b.position) == (a.uid, a.spec.id, a.name, a.position)
        assert b.params == a.params, a.spec.id
        # Values really are the non-default ones set above (the round trip is not vacuous).
        for p in a.spec.params:
            if p.name != "name":
                assert getattr(b, p.name) == _sample_value(p) != p.default or p.default is None
    assert [(w.id, w.source_card.uid, w.source_port, w.target_card.uid, w.target_port)
            for w in ed2.wires] == [
        (w.id, w.source_card.uid, w.source_port, w.target_card.uid, w.target_port)
        for w in ed.wires]
    assert ed2.to_json() == text
    # From a file on disk as well (the text is all there is).
    assert NetworkEditor.from_json(ed2.to_json()).to_json() == text


def test_loaded_editor_is_live(tmp_path):
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", name="d", units=3, activation="tanh")
    ed.connect(x, d)
    ed.connect(d, ed.add("output", name="y"))
    path = tmp_path / "graph.json"
    path.write_text(ed.to_json())
    ed2 = NetworkEditor.from_json(path.read_text())
    ed2["d"].units = 7
    assert ed2.build().get_layer("d").units == 7
    new = ed2.add("Dense", units=2)  # uids of loaded cards are not reused
    assert new.uid not in {c.uid for c in ed.cards}


def _doc():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", name="d", units=3)
    ed.connect(x, d)
    ed.connect(d, ed.add("output", name="y"))
    return json.loads(ed.to_json())


def _rejected(doc_or_text, *fragments):
    text = doc_or_text if isinstance(doc_or_text, str) else json.dumps(doc_or_text)
    with pytest.raises(GraphFileError) as err:
        NetworkEditor.from_json(text)
    for f in fragments:
        assert f in str(err.value), (f, str(err.value))
    return str(err.value)


def test_unknown_card_id():
    doc = _doc()
    doc["cards"][1]["card_id"] = "layer_Nope"
    _rejected(doc, "card #1", "unknown card id 'layer_Nope'")


def test_keras_class_name_is_accepted_as_card_id_and_saved_as_the_id():
    doc = _doc()
    doc["cards"][1]["card_id"] = "Dense"
    ed = NetworkEditor.from_json(json.dumps(doc))
    assert ed["d"].card_id == "layer_Dense"
    assert json.loads(ed.to_json())["cards"][1]["card_id"] == "layer_Dense"


def test_wrong_param_type():
    doc = _doc()
    doc["cards"][1]["params"]["units"] = "3"
    _rejected(doc, "card #1 'd' (Dense layer)", "'Units' (units)", "an integer", "'3'")
    doc["cards"][1]["params"]["units"] = 0
    _rejected(doc, "'Units'", ">= 1")
    doc = _doc()
    doc["cards"][1]["params"]["activation"] = "__import__('os').system('true')"
    _rejected(doc, "'Activation'", "one of")


def test_unknown_param():
    doc = _doc()
    doc["cards"][1]["params"]["kernel"] = 1
    _rejected(doc, "card #1 'd'", "unknown parameter 'kernel'")


def test_dangling_wire_end():
    doc = _doc()
    doc["wires"][0]["target"] = "card999"
    _rejected(doc, "wire #0", "target 'card999' is not a card")
    doc = _doc()
    doc["wires"][1]["source_port"] = "nonsense"
    _rejected(doc, "wire #1", "no output 'nonsense'")


def test_wire_breaking_the_rules():
    doc = _doc()
    doc["wires"].append(dict(doc["wires"][0], id="again"))
    _rejected(doc, "wire #2", "already has a wire")


def test_wrong_schema_and_format():
    doc = _doc()
    doc["schema"] = 99
    _rejected(doc, "Unsupported schema version 99")
    doc = _doc()
    del doc["schema"]
    _rejected(doc, "schema")
    doc = _doc()
    doc["format"] = "something.else"
    _rejected(doc, "format")


def test_invalid_json():
    _rejected("{not json", "invalid JSON")
    _rejected("[]", "Not a saved nncards_widget graph")
    _rejected(json.dumps({"format": FORMAT, "schema": 1, "cards": {}}), "list of 'cards'")


def test_malformed_entries():
    doc = _doc()
    doc["cards"][0]["position"] = {"x": "left"}
    _rejected(doc, "card #0 'x'", "'position'")
    doc = _doc()
    del doc["cards"][2]["uid"]
    _rejected(doc, "card #2", "missing 'uid'")
    doc = _doc()
    doc["cards"][2]["uid"] = doc["cards"][1]["uid"]
    _rejected(doc, "card #2", "duplicate uid")
    doc = _doc()
    doc["cards"][1]["name"] = 5
    _rejected(doc, "card #1", "'name' must be a str")


def test_code_looking_strings_are_just_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ed = NetworkEditor()
    evil = "__import__('os').system('touch nncards_pwned')"
    with pytest.raises(TraitError, match="Keras layer name"):  # not a name Keras can use
        ed.add("input", name=evil, shape=[2])
    x = ed.add("input", name="x", shape=[2])
    d = ed.add("Dense", units=1)
    ed.connect(x, d)
    ed.connect(d, ed.add("output", name="y"))
    for name in (evil, "{{7*7}}"):
        doc = json.loads(ed.to_json())
        doc["cards"][0]["name"] = name
        _rejected(doc, "card #0", "Keras layer name")
    NetworkEditor.from_json(ed.to_json()).build()
    assert not (tmp_path / "nncards_pwned").exists()
    doc = json.loads(ed.to_json())
    doc["cards"][1]["card_id"] = "os.system"
    _rejected(doc, "unknown card id 'os.system'")
    doc = json.loads(ed.to_json())
    doc["cards"][1]["params"]["units"] = {"__class__": "eval", "args": ["1+1"]}
    _rejected(doc, "'Units'")


def test_failed_load_json_leaves_the_editor_untouched():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", units=3)
    ed.connect(x, d)
    before = ed.to_json()
    cards, wires = ed.cards, ed.wires
    for bad in ('{"format": "nope"}', "not json",
                json.dumps(dict(_doc(), wires=[{"id": "w", "source": "a", "source_port": "data",
                                                "target": "b", "target_port": "input"}]))):
        with pytest.raises(GraphFileError):
            ed.load_json(bad)
        assert ed.to_json() == before
        assert ed.cards == cards and ed.wires == wires
        assert list(ed.graph.nodes) == cards
    # A good file replaces the graph.
    ed.load_json(json.dumps(_doc()))
    assert [c.name for c in ed.cards] == ["x", "d", "y"] and len(ed.wires) == 2


def test_positions_are_top_left_corners_and_older_files_of_centres_stay_in_place():
    from nncards_widget.geometry import layout_card

    ed = NetworkEditor()
    d = ed.add("Dense", name="d", units=4, position={"x": 100, "y": 40})
    doc = json.loads(ed.to_json())
    assert doc["positions"] == "top-left" and doc["cards"][0]["position"] == {"x": 100, "y": 40}
    assert NetworkEditor.from_json(ed.to_json()).card("d").position == {"x": 100.0, "y": 40.0}
    # a file written when a position was the card's centre: the card keeps its place on screen
    del doc["positions"]
    doc["cards"][0]["position"] = {"x": 500, "y": 300}
    loaded = NetworkEditor.from_json(json.dumps(doc)).card("d")
    face = layout_card(d.spec, {"units": 4}, footer="(None, 1)")
    assert loaded.position == {"x": 500 - face.width / 2, "y": 300 - face.height / 2}

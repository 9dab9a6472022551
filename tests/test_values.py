"""Parameter values: no NaN or infinity in Float parameters, None only where a parameter may be
None, short error messages for huge values, and saved graphs that are strict JSON."""

from __future__ import annotations

import json
import math

import pytest
from traitlets import TraitError

from nncards_widget import BuildError, GraphFileError, NetworkEditor, catalog, serialization
from nncards_widget.graph import CardData, Graph

NON_FINITE = [float("nan"), float("inf"), float("-inf")]


def _params(select):
    return [pytest.param(spec, p, id=f"{spec.id}.{p.name}")
            for spec in catalog.cards() for p in spec.params if p.name != "name" and select(p)]


def _strict_loads(text):
    """json.loads that refuses NaN / Infinity, as every other JSON reader does."""
    def refuse(token):
        raise ValueError(f"not strict JSON: {token}")
    return json.loads(text, parse_constant=refuse)


def _request(ed, **msg):
    """A request as the view sends it; returns the reply."""
    return ed._handle_view_request(ed, dict(msg, request_id=1), [])


@pytest.fixture(scope="module")
def editor():
    return NetworkEditor()


# -- NaN and infinities --------------------------------------------------------------------------

@pytest.mark.parametrize("spec,param", _params(lambda p: p.type == "Float"))
def test_float_parameter_refuses_nan_and_infinities(editor, spec, param):
    card = editor.add(spec.id)
    before = getattr(card, param.name)
    for bad in NON_FINITE:
        with pytest.raises(TraitError) as err:
            setattr(card, param.name, bad)
        message = str(err.value)
        assert f"'{param.label}' ({param.name})" in message and card.name in message
        assert "a finite number is needed" in message and repr(bad) in message
        assert getattr(card, param.name) == before or (before is None
                                                       and getattr(card, param.name) is None)
    with pytest.raises(TraitError, match="finite"):
        editor.add(spec.id, **{param.name: float("nan")})
    editor.remove(card)


def test_nan_is_refused_for_integer_parameters_too():
    units = catalog.get("Dense").input("units")
    for bad in NON_FINITE:
        with pytest.raises(ValueError, match=r"an integer .*received (nan|inf|-inf) \(float\)"):
            units.coerce(bad)


def test_a_spec_may_allow_non_finite_floats():
    """The catalogue's switch for a parameter that takes them (no card uses it today)."""
    spec = catalog.InputSpec(label="Limit", name="limit", type="Float", allow_nonfinite=True)
    assert spec.coerce(float("inf")) == float("inf") and math.isnan(spec.coerce(float("nan")))
    assert not any(p.allow_nonfinite for s in catalog.cards() for p in s.params)


def test_an_integer_too_large_for_a_float_is_refused_with_a_short_message():
    threshold = catalog.get("ReLU").input("threshold")
    with pytest.raises(ValueError, match="too large for a number") as err:
        threshold.coerce(10 ** 400)
    assert len(str(err.value)) < 200


def test_integers_beyond_what_the_canvas_holds_exactly_are_refused():
    units = catalog.get("Dense").input("units")
    assert units.coerce(2 ** 53 - 1) == 2 ** 53 - 1
    for bad in (2 ** 53, 10 ** 30):
        with pytest.raises(ValueError, match="larger than 2\\*\\*53"):
            units.coerce(bad)
    with pytest.raises(ValueError, match="larger than 2\\*\\*53"):
        catalog.get("Conv2D").input("kernel_size").coerce([3, 2 ** 60])


def test_extreme_finite_floats_are_kept_exactly():
    ed = NetworkEditor()
    relu = ed.add("ReLU", threshold=1e308)
    noise = ed.add("GaussianNoise", stddev=5e-324)
    text = ed.to_json()
    doc = _strict_loads(text)
    params = {c["name"]: c["params"] for c in doc["cards"]}
    assert params[relu.name]["threshold"] == 1e308
    assert params[noise.name]["stddev"] == 5e-324
    assert NetworkEditor.from_json(text).to_json() == text


# -- None ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,param", _params(lambda p: not p.optional and not p.required))
def test_none_is_refused_where_the_parameter_is_not_optional(spec, param):
    assert param.default is not None  # such a parameter always has a value
    with pytest.raises(ValueError, match="received None"):
        param.coerce(None)


@pytest.mark.parametrize("card_id,name", [("Dense", "use_bias"), ("Conv1D", "padding"),
                                          ("Concatenate", "axis"), ("ReLU", "threshold")])
def test_none_is_refused_on_the_card(card_id, name):
    ed = NetworkEditor()
    card = ed.add(card_id)
    before = getattr(card, name)
    with pytest.raises(TraitError) as err:
        setattr(card, name, None)
    assert "received None" in str(err.value) and f"({name})" in str(err.value)
    assert getattr(card, name) == before
    with pytest.raises(TraitError, match="received None"):
        ed.add(card_id, **{name: None})
    reply = _request(ed, type="set_param", uid=card.uid, name=name, value=None)
    assert not reply["ok"] and "received None" in reply["error"]
    assert getattr(card, name) == before


@pytest.mark.parametrize("spec,param", _params(lambda p: p.optional))
def test_optional_parameters_take_none(spec, param):
    assert param.default is None and param.coerce(None) is None


def test_a_required_parameter_without_a_value_is_the_new_card_state():
    """A new Dense card has no units yet: that is allowed (None), and building says what is
    missing; once set, units can be cleared again, but never to a wrong value."""
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", name="d")
    ed.connect(x, d)
    ed.connect(d, ed.add("output", name="y"))
    assert d.units is None
    with pytest.raises(BuildError, match=r"needs a value for parameter 'Units' \(units\)"):
        ed.build()
    d.units = 3
    assert ed.build().get_layer("d").units == 3
    d.units = None
    assert d.units is None
    required = [p for s in catalog.cards() for p in s.params if p.required]
    assert required and all(p.default is None and p.coerce(None) is None for p in required)


# -- bounded messages -----------------------------------------------------------------------------

HUGE = {
    "string": "x" * 1_000_000,
    "list": list(range(1_000_000)),
    "nested list": [[[[[[[[1]]]]]]]] * 100_000,
    "dict": {str(i): i for i in range(100_000)},
    "integer": 10 ** 10_000,
}


@pytest.mark.parametrize("kind", list(HUGE))
def test_a_huge_bad_value_gives_a_short_message(kind):
    ed = NetworkEditor()
    d = ed.add("Dense", units=3, activation="relu")
    value = HUGE[kind]
    with pytest.raises(TraitError) as err:
        d.activation = value
    message = str(err.value)
    assert "'Activation' (activation)" in message
    assert "..." in message or "bits>" in message
    assert len(message) < 600, len(message)
    reply = _request(ed, type="set_param", uid=d.uid, name="units", value=value)
    assert not reply["ok"] and "'Units' (units)" in reply["error"]
    assert len(reply["error"]) < 600, len(reply["error"])
    assert d.units == 3 and d.activation == "relu"


def test_short_repr_keeps_short_values_whole():
    assert catalog.short_repr("relu") == "'relu'"
    assert catalog.short_repr([1, 2, 3]) == "[1, 2, 3]"
    assert catalog.short_repr(float("nan")) == "nan"
    for value in ("y" * 500, list(range(500)), {i: i for i in range(500)}, [[[[[[1]]]]]] * 50):
        shown = catalog.short_repr(value)
        assert len(shown) <= 80 and "..." in shown, shown


# -- strict JSON on save ---------------------------------------------------------------------

def test_saved_graph_is_strict_json():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4], position={"x": -1e300, "y": 2.5e-300})
    d = ed.add("Dense", name="d", units=3)
    ed.connect(x, d)
    text = ed.to_json()
    doc = _strict_loads(text)
    assert doc["cards"][0]["position"] == {"x": -1e300, "y": 2.5e-300}


def test_nothing_non_finite_is_written():
    """A graph holding a non-finite number (only possible by editing its data directly) is not
    written as non-standard JSON: saving it names the card instead."""
    graph = Graph(cards=[CardData("a", "input", "x", {"shape": [4]}, {"x": float("nan"), "y": 0})])
    with pytest.raises(GraphFileError, match=r"Cannot save card 'x': its position .*nan"):
        serialization.dumps(graph)
    graph = Graph(cards=[CardData("r", "layer_ReLU", "r", {"threshold": float("inf")}, {})])
    with pytest.raises(GraphFileError, match=r"Cannot save card 'r': its parameters .*inf"):
        serialization.dumps(graph)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_a_file_with_non_finite_numbers_is_refused(token):
    ed = NetworkEditor()
    ed.add("ReLU", name="r", threshold=0.5)
    text = ed.to_json().replace('"threshold": 0.5', f'"threshold": {token}')
    assert token in text
    with pytest.raises(GraphFileError) as err:
        NetworkEditor.from_json(text)
    assert "strict JSON" in str(err.value) or (
        "'Threshold' (threshold)" in str(err.value) and "finite" in str(err.value))

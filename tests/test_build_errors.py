"""Every build error of issue 2, with its message: which card (port, parameter) and what to do."""

from __future__ import annotations

import warnings

import keras
import pytest

from nncards_widget import BuildError, DanglingCardWarning


def _chain(ed, *cards):
    for a, b in zip(cards, cards[1:], strict=False):
        ed.connect(a, b)


def _fails(ed) -> BuildError:
    """build() raises BuildError and leaves the graph exactly as it was."""
    before = ed.to_json()
    model_before = ed.model
    with pytest.raises(BuildError) as err:
        ed.build()
    assert ed.to_json() == before
    assert ed.model is model_before
    return err.value


def test_no_input_card(editor):
    d = editor.add("Dense", units=2)
    editor.connect(d, editor.add("output", name="y"))
    err = _fails(editor)
    assert "no Input card" in str(err) and "add an 'input' card" in str(err)


def test_no_output_card(editor):
    x = editor.add("input", name="x", shape=[3])
    d = editor.add("Dense", units=2)
    editor.connect(x, d)
    err = _fails(editor)
    assert "no Output card" in str(err) and "Data input" in str(err)


def test_unconnected_required_input(editor):
    x = editor.add("input", name="x", shape=[3])
    a = editor.add("Dense", name="a", units=3)
    add = editor.add("mergeLayer2_Add", name="merge")
    _chain(editor, x, a, add, editor.add("output", name="y"))
    err = _fails(editor)
    assert err.card == "merge" and err.port == "input_b"
    msg = str(err)
    assert "'merge'" in msg and "'Input B'" in msg and "connect a Tensor output" in msg


def test_output_card_with_nothing_connected(editor):
    x = editor.add("input", name="x", shape=[3])
    _chain(editor, x, editor.add("Dense", units=1), editor.add("output", name="y"))
    editor.add("output", name="unused")
    err = _fails(editor)
    assert err.card == "unused" and "'Data'" in str(err)


def test_duplicate_input_name(editor):
    x1 = editor.add("input", name="x", shape=[3])
    x2 = editor.add("input", name="x", shape=[3])
    add = editor.add("Add")
    editor.connect(x1, add)
    editor.connect(x2, add)
    editor.connect(add, editor.add("output", name="y"))
    err = _fails(editor)
    assert "Duplicate Input/Output name 'x'" in str(err) and "rename one of them" in str(err)
    assert err.card == "x" and err.param == "name"


def test_duplicate_output_name(editor):
    x = editor.add("input", name="x", shape=[3])
    d = editor.add("Dense", units=1)
    _chain(editor, x, d, editor.add("output", name="y"))
    editor.connect(d, editor.add("output", name="y"))
    err = _fails(editor)
    assert "Duplicate Input/Output name 'y'" in str(err) and "rename one of them" in str(err)


def test_output_named_like_a_layer_card_builds(editor):
    # An Output card adds no layer, so it may take the name of the layer it follows.
    x = editor.add("input", name="x", shape=[3])
    _chain(editor, x, editor.add("Dense", name="head", units=1),
           editor.add("output", name="head"))
    model = editor.build()
    assert [layer.name for layer in model.layers] == ["x", "head"]
    assert model.output_names == ["head"]


def test_input_named_like_a_layer_card(editor):
    x = editor.add("input", name="x", shape=[3])
    _chain(editor, x, editor.add("Dense", name="x", units=1), editor.add("output", name="y"))
    assert "Duplicate Input/Output name 'x'" in str(_fails(editor))


def test_dangling_card_is_a_warning_and_the_model_still_builds(editor):
    x = editor.add("input", name="x", shape=[3])
    d = editor.add("Dense", units=1)
    _chain(editor, x, d, editor.add("output", name="y"))
    loose = editor.add("Dense", name="loose", units=4)
    with pytest.warns(DanglingCardWarning, match="'loose'.*not connected to any Output card"):
        model = editor.build()
    assert isinstance(model, keras.Model)
    assert "loose" not in [layer.name for layer in model.layers]
    # A card hanging off the network (fed, but feeding no Output) warns too.
    editor.connect(d, loose)
    with pytest.warns(DanglingCardWarning, match="'loose'"):
        editor.build()


def test_no_warning_for_a_fully_used_graph(editor):
    x = editor.add("input", name="x", shape=[3])
    _chain(editor, x, editor.add("Dense", units=1), editor.add("output", name="y"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        editor.build()


def test_add_of_different_shapes_names_card_and_both_shapes(editor):
    a = editor.add("input", name="a", shape=[3])
    b = editor.add("input", name="b", shape=[4])
    add = editor.add("mergeLayer2_Add", name="sum")
    editor.connect(a, add["Input A"])
    editor.connect(b, add["Input B"])
    editor.connect(add, editor.add("output", name="y"))
    err = _fails(editor)
    assert err.card == "sum"
    msg = str(err)
    assert "'sum'" in msg and "'Input A' has shape (None, 3)" in msg
    assert "'Input B' has shape (None, 4)" in msg


def test_concatenate_with_mismatched_other_axes(editor):
    a = editor.add("input", name="a", shape=[2, 5])
    b = editor.add("input", name="b", shape=[3, 6])
    cat = editor.add("mergeLayer2_Concatenate", name="joined", axis=-1)
    editor.connect(a, cat["Input A"])
    editor.connect(b, cat["Input B"])
    editor.connect(cat, editor.add("output", name="y"))
    err = _fails(editor)
    msg = str(err)
    assert err.card == "joined"
    assert "(None, 2, 5)" in msg and "(None, 3, 6)" in msg
    # Along axis 1 the other axes (5 vs 6) still differ; fixing the shapes makes it build.
    cat.axis = 1
    assert "(None, 2, 5)" in str(_fails(editor))
    editor.cards[1].shape = [3, 5]
    assert editor.build().outputs[0].shape == (None, 5, 5)


@pytest.mark.parametrize("card_id,param,label", [
    ("Dense", "units", "Units"),
    ("Dropout", "rate", "Rate"),
    ("Reshape", "target_shape", "Target reshape"),
])
def test_missing_required_parameter(editor, card_id, param, label):
    x = editor.add("input", name="x", shape=[4])
    card = editor.add(card_id, name="needs_value")
    _chain(editor, x, card, editor.add("output", name="y"))
    err = _fails(editor)
    assert err.card == "needs_value" and err.param == param
    assert f"'{label}' ({param})" in str(err) and "'needs_value'" in str(err)


def test_input_shape_missing(editor):
    x = editor.add("input", name="x")
    _chain(editor, x, editor.add("Dense", units=1), editor.add("output", name="y"))
    err = _fails(editor)
    assert err.card == "x" and err.param == "shape" and "'Shape'" in str(err)


def test_wrapper_without_layer(editor):
    x = editor.add("input", name="x", shape=[5, 3])
    bi = editor.add("Bidirectional", name="bi")
    _chain(editor, x, bi, editor.add("output", name="y"))
    err = _fails(editor)
    assert err.card == "bi" and err.port == "layer" and "'Layer'" in str(err)


def test_keras_refusal_names_the_card(editor):
    """A Keras error while applying a layer comes back naming the card and its input shape."""
    x = editor.add("input", name="x", shape=[4])
    conv = editor.add("Conv2D", name="conv", filters=2, kernel_size=[3, 3])
    _chain(editor, x, conv, editor.add("output", name="y"))
    err = _fails(editor)
    assert err.card == "conv" and "'Input' has shape (None, 4)" in str(err)


def test_error_downstream_of_a_failed_card_is_reported_at_its_source(editor):
    a = editor.add("input", name="a", shape=[3])
    b = editor.add("input", name="b", shape=[4])
    add = editor.add("Add", name="sum")
    d = editor.add("Dense", units=1)
    editor.connect(a, add)
    editor.connect(b, add)
    _chain(editor, add, d, editor.add("output", name="y"))
    assert _fails(editor).card == "sum"


def test_input_not_connected_to_any_output(editor):
    x = editor.add("input", name="x", shape=[3])
    _chain(editor, x, editor.add("Dense", units=1), editor.add("output", name="y"))
    editor.add("input", name="spare", shape=[2])
    with pytest.warns(DanglingCardWarning):
        err = _fails(editor)
    assert err.card == "spare" and "wire it into the network or remove it" in str(err)


def test_a_failed_build_keeps_the_previous_model(editor):
    x = editor.add("input", name="x", shape=[3])
    d = editor.add("Dense", units=1)
    _chain(editor, x, d, editor.add("output", name="y"))
    model = editor.build()
    d.units = None
    _fails(editor)
    assert editor.model is model

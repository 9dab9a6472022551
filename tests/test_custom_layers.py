"""Custom layer classes defined in the kernel as cards: parameters from __init__, Python-only
values, saving by Keras registered name, and loading that never imports anything."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from nncards_widget import NetworkEditor
from nncards_widget.errors import GraphFileError


class Gate(keras.layers.Layer):
    """Multiplies its input by ``factor`` after ``transform``."""

    def __init__(self, transform, factor=0.5, mode: str = "soft", table={"a": 1},  # noqa: B006
                 **kwargs):
        super().__init__(**kwargs)
        self.transform, self.factor, self.mode, self.table = transform, factor, mode, table

    def call(self, x):
        return self.transform(x) * self.factor


@keras.saving.register_keras_serializable(package="nncards_tests")
class Scale(keras.layers.Layer):
    def __init__(self, factor=2.0, units: int = 3, **kwargs):
        super().__init__(**kwargs)
        self.factor, self.units = factor, units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")

    def call(self, x):
        return keras.ops.matmul(x, self.w) * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "units": self.units}


def _wired(ed, card, shape=(4,)):
    x = ed.add("input", name="x", shape=list(shape))
    ed.connect(x, card)
    ed.connect(card, ed.add("output", name="y"))
    return x


def test_card_from_init_signature_with_python_values(editor):
    card = editor.add(Gate, transform=keras.ops.abs, factor=0.25)
    kinds = {p.name: p.type for p in card.spec.params}
    assert kinds["factor"] == "Float" and kinds["mode"] == "String"
    assert kinds["transform"] == "Python" and kinds["table"] == "Python"
    assert card.spec.input("transform").required
    assert {"trainable", "dtype"} <= set(kinds)
    assert card.name == "gate" and card.factor == 0.25 and card.transform is keras.ops.abs
    _wired(editor, card)
    model = editor.build()
    out = model.predict(np.array([[-2.0, 1.0, -4.0, 0.0]]), verbose=0)
    np.testing.assert_allclose(out, [[0.5, 0.25, 1.0, 0.0]])
    with pytest.raises(GraphFileError, match=r"card 'gate'.*'Transform' \(transform\) is Python "
                                             r"code"):
        editor.to_json()


def test_python_values_are_read_only_on_the_canvas(editor):
    card = editor.add(Gate, transform=np.abs)
    reply = editor._handle_view_request(editor, {"request_id": 1, "type": "set_param",
                                                 "uid": card.uid, "name": "transform",
                                                 "value": "np.negative"}, None)
    assert not reply["ok"] and "read-only on the canvas" in reply["error"]
    assert card.transform is np.abs
    assert card.get_state()["transform"] == "<ufunc 'absolute'>"  # what the view is shown


def test_a_required_python_value_missing_is_a_build_error(editor):
    from nncards_widget import BuildError

    _wired(editor, editor.add(Gate))
    with pytest.raises(BuildError, match="'gate'.*Transform"):
        editor.build()


def test_registered_class_saves_by_its_registered_name_and_loads(editor):
    card = editor.add(Scale, factor=3.0, units=2)
    assert card.card_id == "custom:nncards_tests>Scale"
    _wired(editor, card, shape=(3,))
    text = editor.to_json()
    doc = json.loads(text)
    assert doc["schema"] == 2
    assert "custom:nncards_tests>Scale" in [c["card_id"] for c in doc["cards"]]
    again = NetworkEditor.from_json(text)
    assert again["scale"].factor == 3.0 and again["scale"].units == 2
    out = again.build().predict(np.ones((1, 3)), verbose=0)
    np.testing.assert_allclose(out, [[9.0, 9.0]])


def test_loading_an_unregistered_class_is_refused_without_importing(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "evil_layers.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    doc = {"format": "nncards_widget.graph", "schema": 2, "wires": [],
           "cards": [{"uid": "card-1", "card_id": "custom:evil_layers>Boom", "name": "boom",
                      "params": {}, "position": {}}]}
    with pytest.raises(GraphFileError, match=r"'evil_layers>Boom' is not registered in this "
                                             r"kernel"):
        NetworkEditor.from_json(json.dumps(doc))
    assert not marker.exists()
    doc["cards"][0]["card_id"] = "custom:evil_layers.Boom"
    with pytest.raises(GraphFileError, match="not registered"):
        NetworkEditor.from_json(json.dumps(doc))
    assert not marker.exists()


def test_a_redefined_class_gives_the_new_card(editor):
    class Shift(keras.layers.Layer):
        def __init__(self, by=1.0, **kwargs):
            super().__init__(**kwargs)
            self.by = by

        def call(self, x):
            return x + self.by

    first = editor.add(Shift, by=2.0)

    class Shift(keras.layers.Layer):  # noqa: F811 - the cell run again, with a new argument
        def __init__(self, by=1.0, twice: bool = False, **kwargs):
            super().__init__(**kwargs)
            self.by, self.twice = by, twice

        def call(self, x):
            return (x + self.by) * (2.0 if self.twice else 1.0)

    second = editor.add(Shift, twice=True)
    assert "twice" in second.param_names() and "twice" not in first.param_names()
    editor.remove(first)
    _wired(editor, second, shape=(2,))
    np.testing.assert_allclose(editor.build().predict(np.zeros((1, 2)), verbose=0), [[2.0, 2.0]])


def test_a_custom_kind_reaches_the_view_in_card_specs_not_in_a_new_catalogue(editor):
    from nncards_widget import catalog

    version = editor.catalog_version
    other = NetworkEditor()
    card = editor.add(Gate, transform=keras.ops.abs)
    # the catalogue the view caches (590 KB) is the same: no view fetches it again
    assert editor.catalog_version == version == other.catalog_version
    assert NetworkEditor().catalog_version == version
    reply = editor._handle_view_request(editor, {"request_id": 1, "type": "catalog"}, None)
    assert reply["result"]["version"] == version
    assert [c["id"] for c in reply["result"]["cards"]] == catalog.ids()
    # the kind itself comes with the editor, as the view reads it (a Python default as its repr)
    spec = editor.card_specs[card.card_id]
    assert spec["title"] == "Gate layer (custom)" and spec["category"] == ["Custom layers"]
    rows = {r["name"]: r for r in spec["inputs"]}
    assert rows["transform"]["type"] == "Python" and rows["factor"]["default"] == 0.5
    assert rows["table"]["default"] == "{'a': 1}"
    json.dumps(editor.get_state()["card_specs"])  # plain JSON: syncs and saves with the notebook
    assert card.card_id not in other.card_specs

    class Gate2(Gate):  # the class redefined in the notebook: the same card id, a new row
        def __init__(self, transform=None, factor=0.5, mode: str = "soft", table={"a": 1},  # noqa: B006
                     steep: bool = False, **kwargs):
            super().__init__(transform, factor, mode, table, **kwargs)

    Gate2.__name__ = Gate2.__qualname__ = "Gate"
    again = editor.add(Gate2)
    assert again.card_id == card.card_id
    assert "steep" in {r["name"] for r in editor.card_specs[card.card_id]["inputs"]}
    assert editor.catalog_version == version


class TokenAndPosition(keras.layers.Layer):
    """As in the Keras text-classification example: no **kwargs, no get_config."""

    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = keras.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = keras.layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        positions = keras.ops.arange(0, keras.ops.shape(x)[-1], 1)
        return self.token_emb(x) + self.pos_emb(positions)


def test_imported_model_with_example_style_custom_layers():
    tokens = keras.Input((12,), name="tokens")
    h = TokenAndPosition(12, 50, 8)(tokens)
    h = keras.layers.MultiHeadAttention(2, 8, name="att")(h, h)
    out = keras.layers.Dense(2, name="out")(keras.layers.GlobalAveragePooling1D(name="pool")(h))
    model = keras.Model(tokens, out)
    ed = NetworkEditor.from_model(model)
    card = ed["token_and_position"]
    assert (card.maxlen, card.vocab_size, card.embed_dim) == (12, 50, 8)
    built = ed.build()
    sample = np.random.default_rng(0).integers(0, 50, (3, 12))
    np.testing.assert_allclose(built.predict(sample, verbose=0), model.predict(sample, verbose=0),
                               rtol=1e-5, atol=1e-6)
    code = ed.to_code()
    assert "token_and_position = TokenAndPosition(maxlen=12, vocab_size=50, embed_dim=8)(" \
           "tokens)" in code

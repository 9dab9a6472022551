"""ed.to_code(): readable functional-API source that, run on its own, leaves the same network
in a variable named ``model``."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import keras
import pytest

from nncards_widget import NetworkEditor
from nncards_widget.codegen import CodeGenerationError


def _run(code: str):
    namespace = {}
    exec(compile(code, "<to_code>", "exec"), namespace)  # a fresh namespace: nothing else given
    return namespace["model"]


def _kinds(model):
    """(class, name) of each layer; a nested Sequential model comes back as a functional
    sub-model (the same layers)."""
    return sorted(("Functional" if type(layer).__name__ == "Sequential" else type(layer).__name__,
                   layer.name)
                  for layer in model.layers)


def _same_architecture(a, b):
    assert _kinds(a) == _kinds(b)
    assert a.count_params() == b.count_params()
    for layer in a.layers:
        if not isinstance(layer, keras.Model):
            assert b.get_layer(layer.name).get_config() == layer.get_config(), layer.name


def test_drawn_network_as_code(editor):
    x = editor.add("input", name="x", shape=[13])
    d = editor.add("Dense", name="hidden", units=8, activation="relu")
    drop = editor.add("Dropout", name="drop", rate=0.3)
    y = editor.add("Dense", name="probs", units=3, activation="softmax")
    editor.connect(x, d), editor.connect(d, drop), editor.connect(drop, y)
    init = editor.add("initializer_RandomNormal", stddev=0.1, seed=4)
    editor.connect(init, d["kernel_initializer"])
    editor.connect(y, editor.add("output", name="probs"))
    code = editor.to_code()
    assert code.startswith("import keras\n")
    lines = code.splitlines()
    assert "x = keras.Input(shape=(13,), name='x')" in lines
    assert ("hidden = keras.layers.Dense(units=8, activation='relu', kernel_initializer="
            "keras.initializers.RandomNormal(stddev=0.1, seed=4), name='hidden')(x)") in lines
    assert lines[-1] == "model = keras.Model(inputs=x, outputs=probs, name='network')"
    _same_architecture(editor.build(), _run(code))


def test_code_runs_in_a_fresh_interpreter(tmp_path):
    x = keras.Input((6, 4), name="tokens")
    att = keras.layers.MultiHeadAttention(2, 3, name="att")(x, x)
    seq, state = keras.layers.GRU(5, return_state=True, name="gru")(att)
    left = keras.layers.Dense(2, name="left")(seq)
    right = keras.layers.Dense(2, name="right")(state)
    model = keras.Model(x, [keras.layers.Add(name="sum")([left, right]), state])
    code = NetworkEditor.from_model(model).to_code()
    script = tmp_path / "net.py"
    script.write_text(code + "\nprint(model.count_params(), "
                             "sorted(layer.name for layer in model.layers))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == \
        f"{model.count_params()} {sorted(layer.name for layer in model.layers)}"


def test_shared_nested_and_application_models():
    left, right = keras.Input((5,), name="left"), keras.Input((5,), name="right")
    shared = keras.layers.Dense(4, name="shared")
    inner_in = keras.Input((4,), name="z")
    inner = keras.Sequential([inner_in, keras.layers.Dense(2, name="inner_dense")], name="inner")
    out = keras.layers.Concatenate(name="cat")([inner(shared(left)), shared(right)])
    model = keras.Model([left, right], out)
    code = NetworkEditor.from_model(model).to_code()
    assert "shared_layer = keras.layers.Dense(units=4, name='shared')" in code
    assert "def build_inner():" in code
    _same_architecture(model, _run(code))
    app = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), alpha=0.35,
                                         classes=4)
    _same_architecture(app, _run(NetworkEditor.from_model(app).to_code()))


def test_custom_layer_is_imported_from_its_module(tmp_path, monkeypatch):
    (tmp_path / "my_layers.py").write_text(textwrap.dedent("""
        import keras

        class Scale(keras.layers.Layer):
            def __init__(self, factor=2.0, **kwargs):
                super().__init__(**kwargs)
                self.factor = factor

            def call(self, x):
                return x * self.factor

            def get_config(self):
                return {**super().get_config(), "factor": self.factor}
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    import my_layers

    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[3])
    s = ed.add(my_layers.Scale, name="scale", factor=0.5)
    ed.connect(x, s), ed.connect(s, ed.add("output", name="y"))
    code = ed.to_code()
    assert "from my_layers import Scale" in code.splitlines()
    assert "scale = Scale(factor=0.5, name='scale')(x)" in code
    built = _run(code)
    assert built.get_layer("scale").factor == 0.5


def test_code_cannot_hold_a_function():
    x = keras.Input((3,), name="x")
    model = keras.Model(x, keras.layers.Lambda(lambda t: t + 1, name="plus_one")(x))
    ed = NetworkEditor.from_model(model)
    with pytest.raises(CodeGenerationError, match=r"'plus_one'.*Python code"):
        ed.to_code()

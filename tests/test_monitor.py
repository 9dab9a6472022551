"""The training monitor (``callbacks=[ed.monitor()]``), kernel side: statistics equal to what
numpy gives for the trained weights and the probe outputs, the card state rules (a dead ReLU
layer, a frozen layer, a blown-up step), throttling of syncs and samples, ``ed.history``."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nncards_widget.inspection import InspectionError
from nncards_widget.monitor import RULES, TrainingMonitor, _CardStats, card_state


def network(ed, hidden_bias=None, hidden_trainable=True):
    """Input(6) -> Dense(8, relu) 'hidden' -> Dense(3, softmax) 'head' -> Output 'y'; the hidden
    layer's bias initializer is a Constant card of ``hidden_bias`` when given."""
    x = ed.add("input", name="x", shape=[6])
    hidden = ed.add("Dense", name="hidden", units=8, activation="relu",
                    trainable=hidden_trainable)
    head = ed.add("Dense", name="head", units=3, activation="softmax")
    ed.connect(x, hidden)
    ed.connect(hidden, head)
    ed.connect(head, ed.add("output", name="y"))
    if hidden_bias is not None:
        init = ed.add("initializer_Constant", name="negative", value=hidden_bias)
        ed.connect(init, hidden["Bias initializer"])
    return hidden, head


def data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    xs = rng.normal(size=(n, 6)).astype("float32")
    ys = np.eye(3)[(xs[:, 0] > 0).astype(int) + (xs[:, 1] > 0.5).astype(int)]
    return xs, ys


def trained(ed, lr=0.01, epochs=3, optimizer=None, **monitor):
    keras.utils.set_random_seed(0)
    model = ed.build()
    model.compile(optimizer=optimizer or keras.optimizers.Adam(lr),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    xs, ys = data()
    monitor.setdefault("probe", xs[:32])
    mon = ed.monitor(**monitor)
    hist = model.fit(xs, ys, validation_split=0.25, epochs=epochs, batch_size=8, verbose=0,
                     callbacks=[mon])
    return model, mon, hist, xs


def test_history_is_the_keras_history_and_progress_is_complete(editor):
    network(editor)
    assert editor.history == {}  # nothing before a monitored fit
    model, mon, hist, _ = trained(editor, epochs=3)
    assert isinstance(mon, TrainingMonitor) and isinstance(mon, keras.callbacks.Callback)
    assert editor.history == hist.history
    assert set(editor.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in editor.history.values())
    # batches: 72 training examples in batches of 8 -> 9 steps per epoch
    assert mon.batch_history["epoch"] == [e for e in range(3) for _ in range(9)]
    assert mon.batch_history["step"] == list(range(9)) * 3
    # the last batch's running mean is the epoch's loss (Keras reports running means)
    last = [mon.batch_history["loss"][9 * e + 8] for e in range(3)]
    np.testing.assert_allclose(last, hist.history["loss"], rtol=1e-5)
    assert len(mon.val_batch_history["val_loss"]) == 3 * 3  # 24 validation examples
    state = editor.training_state
    assert state["status"] == "done" and state["eta"] is None
    assert (state["epoch"], state["epochs"], state["step"], state["steps"]) == (3, 3, 9, 9)
    assert state["metrics"] == ["loss", "accuracy"]
    assert state["batch"]["x"][-1] == 3.0 and len(state["batch"]["loss"]) == 27
    assert state["epoch_log"]["x"] == [1, 2, 3]
    np.testing.assert_allclose(state["epoch_log"]["val_loss"], hist.history["val_loss"],
                               rtol=1e-4)
    assert [r[0] for r in state["rules"]] == ["exploding", "dead", "stalled", "learning"]


def test_an_interrupted_fit_shows_as_interrupted_after_the_cell(editor):
    """Keras calls no on_train_end when fit is interrupted (Ctrl+C, an error): the panel must
    not stay 'Training'. In a kernel the monitor looks again right after the cell."""
    import asyncio

    network(editor)
    model = editor.build()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    xs, ys = data()

    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                raise KeyboardInterrupt

    async def cell():
        try:
            model.fit(xs, ys, epochs=2, batch_size=8, verbose=0,
                      callbacks=[editor.monitor(), Interrupt()])
        except KeyboardInterrupt:
            pass
        assert editor.training_state["status"] == "training"  # the cell is not over yet

    async def session():
        await cell()
        await asyncio.sleep(0)  # the kernel's loop turns: the cell is over
        return editor.training_state

    state = asyncio.run(session())
    assert state["status"] == "interrupted" and state["eta"] is None
    assert state["step"] == 3 and state["epoch"] == 1
    assert "interrupted" in state["warning"]
    # a later fit that ends normally is 'done'
    model.fit(xs, ys, epochs=1, batch_size=8, verbose=0, callbacks=[editor.monitor()])
    assert editor.training_state["status"] == "done"


def test_card_statistics_match_the_trained_weights_and_probe_outputs(editor):
    hidden, head = network(editor)
    model, mon, _, xs = trained(editor, budget=0.9)
    for card in (hidden, head):
        t = card.training
        layer = model.get_layer(card.name)
        flat = np.concatenate([np.ravel(w) for w in layer.get_weights()])
        np.testing.assert_allclose(t["weight_norm"], np.linalg.norm(flat), rtol=1e-4)
        sub = keras.Model(model.inputs, layer.output)
        out = np.asarray(sub({"x": xs[:32]}, training=False))
        np.testing.assert_allclose(t["zeros"], np.mean(out == 0), rtol=1e-4)
        np.testing.assert_allclose(t["mean"], out.mean(), rtol=1e-3, atol=1e-6)
        np.testing.assert_allclose(t["std"], out.std(), rtol=1e-3)
        assert t["state"] == "learning", t
        assert 1e-6 < t["update_ratio"] < 1
        series = t["series"]
        assert len(series["x"]) == len(series["weight_norm"]) >= 2
        assert series["x"] == sorted(series["x"]) and series["x"][-1] == 3.0
    # cards without weights carry no statistics
    assert editor["x"].training == {} and editor["y"].training == {}
    assert mon.samples >= 2


def test_update_ratio_is_one_step_of_the_optimizer():
    """Two reads one step apart: |W1 - W0| / |W0|."""

    class Layer:
        trainable_weights = ()

    stats = _CardStats("u", Layer(), None)
    w0 = [np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([0.0, 0.0])]
    w1 = [np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([0.3, 0.4])]
    stats.before = w0
    latest = stats.record(1.0, w1, np.array([[0.0, 2.0], [0.0, 4.0]]))
    assert latest["update_ratio"] == pytest.approx(0.5 / 5.0)
    assert latest["weight_norm"] == pytest.approx(np.sqrt(25.0 + 0.25))
    assert latest["zeros"] == 0.5 and latest["mean"] == 1.5
    assert latest["std"] == pytest.approx(np.std([0, 2, 0, 4]))


def test_rules_in_order():
    assert card_state({"finite": False, "zeros": 1.0})[0] == "exploding"
    assert card_state({"update_ratio": 3.0, "zeros": 1.0})[0] == "exploding"
    assert card_state({"update_ratio": 0.01, "growth": 50.0})[0] == "exploding"
    assert card_state({"update_ratio": 0.0, "zeros": 0.97})[0] == "dead"
    assert card_state({"update_ratio": 1e-9, "zeros": 0.5})[0] == "stalled"
    assert card_state({"update_ratio": 1e-3, "zeros": 0.5}) == (
        "learning", "the weights move and the outputs are alive")
    state, reason = card_state({"update_ratio": 0.0, "zeros": 1.0})
    assert state == "dead" and "100% of its outputs" in reason
    assert [name for name, _ in RULES] == ["exploding", "dead", "stalled", "learning"]


def test_dead_relu_layer_is_flagged_and_a_sound_one_is_not(editor):
    hidden, head = network(editor, hidden_bias=-20.0)
    trained(editor, budget=0.9)
    t = hidden.training
    assert t["state"] == "dead" and t["zeros"] == 1.0, t
    assert "100% of its outputs on the probe batch are zero" in t["reason"]
    assert t["rule"] == dict(RULES)["dead"]
    assert t["update_ratio"] == 0.0  # a dead ReLU passes no gradient
    assert head.training["state"] != "dead"

    from nncards_widget import NetworkEditor

    sound = NetworkEditor()
    hidden2, _ = network(sound, hidden_bias=0.1)
    trained(sound, budget=0.9)
    assert hidden2.training["state"] == "learning" and hidden2.training["zeros"] < 0.95


def test_frozen_layer_has_no_statistics_and_a_zero_learning_rate_stalls(editor):
    hidden, head = network(editor, hidden_trainable=False)
    trained(editor, optimizer=keras.optimizers.SGD(0.0), budget=0.9)
    assert hidden.training == {}  # no trainable weights: nothing to watch
    assert head.training["state"] == "stalled" and head.training["update_ratio"] == 0.0


def test_huge_steps_explode(editor):
    hidden, head = network(editor)
    trained(editor, optimizer=keras.optimizers.SGD(1e4), budget=0.9)
    assert "exploding" in {hidden.training["state"], head.training["state"]}


def test_syncs_and_samples_are_throttled(editor):
    network(editor)
    syncs = []
    editor.observe(lambda change: syncs.append(change["new"]["status"]), "training_state")
    _, mon, _, _ = trained(editor, interval=3600, budget=1e-9)
    # one sync when training begins, one at the end; nothing in between
    assert syncs == ["training", "done"]
    # one sample (read, one step, measure) while training, none at the end: over the budget
    assert mon.samples == 1
    states = []
    editor.observe(lambda change: states.append(change["new"]), "training_state")
    _, mon, _, _ = trained(editor, interval=1e-6, budget=0.9)
    assert len(syncs) > 2 + 27 and mon.samples > 3
    # while training: progress counts up and an ETA is given from the second step on
    during = [s for s in states if s["status"] == "training" and s["step"] >= 2]
    assert during and all(s["eta"] is not None and s["eta"] >= 0 for s in during)
    progress = [(s["epoch"], s["step"]) for s in during]
    assert progress == sorted(progress)


def test_without_probe_cards_get_weight_statistics_only(editor):
    hidden, _ = network(editor)
    _, mon, _, _ = trained(editor, probe=None, budget=0.9)
    assert editor.training_state["probe"] is False
    assert hidden.training["zeros"] is None and hidden.training["weight_norm"] > 0
    # the sample of the last inspect() is the default probe
    xs, _ = data()
    editor.inspect(xs[:4])
    _, mon, _, _ = trained(editor, probe=None, budget=0.9)
    assert editor.training_state["probe"] is True and hidden.training["zeros"] is not None


def test_bad_arguments_are_refused_by_name(editor):
    network(editor)
    with pytest.raises(ValueError, match="interval must be a positive number"):
        editor.monitor(interval=0)
    with pytest.raises(ValueError, match="budget must be a share"):
        editor.monitor(budget=5)
    model = editor.build()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    xs, ys = data()
    with pytest.raises(InspectionError, match="Input card 'x' has shape .*expects"):
        model.fit(xs, ys, epochs=1, verbose=0, callbacks=[editor.monitor(probe=xs[:4, :5])])


MIRRORED = """
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import json, numpy as np
from nncards_widget import NetworkEditor
from tests.test_monitor import data, network
ed = NetworkEditor()
hidden, head = network(ed)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    model = ed.build()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
xs, ys = data()
model.fit(xs, ys, epochs=2, batch_size=8, verbose=0,
          callbacks=[ed.monitor(probe=xs[:16], budget=0.9)])
flat = np.concatenate([np.ravel(w) for w in model.get_layer("hidden").get_weights()])
print(json.dumps({"epochs": len(ed.history["loss"]), "norm": hidden.training["weight_norm"],
                  "numpy_norm": float(np.linalg.norm(flat)), "state": head.training["state"]}))
"""


def test_monitor_under_a_mirrored_strategy():
    """A model built in a MirroredStrategy scope (two logical CPUs, set before TensorFlow starts,
    hence a fresh process) is monitored like any other."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", MIRRORED], capture_output=True, text=True,
                         cwd=root, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["epochs"] == 2 and result["state"] == "learning"
    assert result["norm"] == pytest.approx(result["numpy_norm"], rel=1e-4)

"""tf.distribute: ``with strategy.scope(): model = ed.build()`` gives a model whose variables
belong to the strategy, and it trains. Each case runs in its own Python process: logical devices
and a multi-worker cluster must be set up before TensorFlow starts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from nncards_widget import NetworkEditor

_QUIET = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}


def _run(code: str, env=None, timeout=60) -> dict:
    """Run ``code`` in a new Python; it prints one JSON line starting with 'RESULT '."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=env or _QUIET)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


MIRRORED = """
    import json, os
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import numpy as np
    from nncards_widget import NetworkEditor

    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", name="d", units=8, activation="relu")
    h = ed.add("Dense", name="h", units=1)
    ed.connect(x, d)
    ed.connect(d, h)
    ed.connect(h, ed.add("output", name="y"))
    assert d.output_shape == "(None, 8)"  # live shapes before the scope
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        model = ed.build()
        model.compile(optimizer="adam", loss="mse")
    mirrored = [isinstance(v.value, tf.distribute.DistributedValues) for v in model.variables]
    rng = np.random.default_rng(0)
    hist = model.fit(rng.normal(size=(64, 4)), rng.normal(size=(64, 1)), batch_size=16,
                     epochs=2, verbose=0)
    d.units = 5  # live shapes go on outside the scope
    shape = h.output_shape
    plain = ed.build()
    plain_mirrored = [isinstance(v.value, tf.distribute.DistributedValues)
                      for v in plain.variables]
    plain.compile(optimizer="adam", loss="mse")
    plain.fit(rng.normal(size=(8, 4)), rng.normal(size=(8, 1)), verbose=0)
    print("RESULT " + json.dumps(dict(
        replicas=strategy.num_replicas_in_sync, mirrored=mirrored, loss=hist.history["loss"],
        shape=shape, d_shape=d.output_shape, plain_mirrored=plain_mirrored)))
"""


def test_mirrored_strategy_over_two_logical_cpus():
    r = _run(MIRRORED)
    assert r["replicas"] == 2
    assert len(r["mirrored"]) == 4 and all(r["mirrored"])
    assert len(r["loss"]) == 2 and all(v == v and abs(v) < 1e6 for v in r["loss"])
    assert (r["shape"], r["d_shape"]) == ("(None, 1)", "(None, 5)")
    assert len(r["plain_mirrored"]) == 4 and not any(r["plain_mirrored"])


# Each worker trains with a tf.function step under strategy.run: with this Keras (3.15) and
# TensorFlow (2.21), ``model.fit`` under MultiWorkerMirroredStrategy fails inside Keras for any
# model (a plain keras.Model too): its symbolic build reduces a PerReplica batch eagerly.
WORKER = """
    import json, os
    import tensorflow as tf
    import numpy as np
    import keras
    from nncards_widget import NetworkEditor

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    with open(os.environ["GRAPH_FILE"]) as f:
        ed = NetworkEditor.from_json(f.read())
    with strategy.scope():
        model = ed.build()
        optimizer = keras.optimizers.SGD(learning_rate=0.1)
        optimizer.build(model.trainable_variables)
    distributed = all(isinstance(v.value, tf.distribute.DistributedValues)
                      for v in model.variables)
    rng = np.random.default_rng(1)  # the same data on both workers; each takes its shard
    x = rng.normal(size=(64, 6)).astype("float32")
    y = (x[:, :1] * 0.5).astype("float32")
    data = strategy.experimental_distribute_dataset(
        tf.data.Dataset.from_tensor_slices((x, y)).batch(16))

    @tf.function
    def train_step(xb, yb):
        def replica_step(xb, yb):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(xb, training=True) - yb))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss
        per_replica = strategy.run(replica_step, args=(xb, yb))
        return strategy.reduce("MEAN", per_replica, axis=None)

    losses = []
    for epoch in range(2):
        losses.append(float(np.mean([train_step(xb, yb).numpy() for xb, yb in data])))
    print("RESULT " + json.dumps(dict(
        workers=strategy.cluster_resolver.cluster_spec().num_tasks("worker"),
        distributed=distributed, loss=losses,
        kernel=model.get_layer("head").kernel.numpy().ravel().tolist())))
"""


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def test_multi_worker_mirrored_strategy_trains_a_saved_card_graph(tmp_path):
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[6])
    d = ed.add("Dense", name="hidden", units=4, activation="tanh")
    ed.connect(x, d)
    ed.connect(d, ed.add("Dense", name="head", units=1))
    ed.connect(ed["head"], ed.add("output", name="y"))
    graph = tmp_path / "net.json"
    graph.write_text(ed.to_json())
    ports = _free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    procs = []
    for index in range(2):
        env = {**_QUIET, "GRAPH_FILE": str(graph), "CUDA_VISIBLE_DEVICES": "",
               "TF_CONFIG": json.dumps({"cluster": cluster,
                                        "task": {"type": "worker", "index": index}})}
        procs.append(subprocess.Popen([sys.executable, "-c", textwrap.dedent(WORKER)],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=90)
            lines = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
            assert p.returncode == 0 and lines, err[-3000:]
            results.append(json.loads(lines[-1][len("RESULT "):]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [r["workers"] for r in results] == [2, 2]
    assert all(r["distributed"] for r in results)
    first, second = (r["loss"] for r in results)
    assert len(first) == 2 and all(v == v and abs(v) < 1e6 for v in first)
    assert first == pytest.approx(second, rel=1e-6)
    assert first[1] < first[0]  # it learns
    # one model: the trained weights are the same on both workers
    assert results[0]["kernel"] == pytest.approx(results[1]["kernel"], rel=1e-6)

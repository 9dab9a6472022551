"""Benchmark of inline inspection and live shapes (issue 4).

1. A 100-card network and a batch of 256: ``ed.inspect(batch)`` (one forward pass capturing every
   card's output; each card's statistics and pictures are made when asked for) against one
   ``model.predict(batch)`` of the same model, and against one Keras sub-model per card
   (``keras.Model(model.inputs, layer.output).predict(batch)``), in one run. Each is timed cold
   (first call: models made and traced) and warm (median of later calls). Aim: warm inspect
   within 2x of one warm predict. Then what making the previews costs afterwards: a view's
   request for the 20 cards on its screen, and all 100 together (a read of ``card.preview``).
2. A 300-card network: the live shape update after one parameter edit (incremental, only
   downstream of the edit, layers built without their weights) against a full rebuild of every
   card's layer with its weights. Aim: >= 5x faster, also in the worst case. The edit is a card in
   the middle of one of six branches; the cheapest (last layer) and the worst case (the Input
   card's shape: everything is downstream) are printed too.

3. One parameter edit on a 1,000-card chain, kernel side: time until its comm messages are
   sent, how many and how large (the worst case changes every card's shape).

    python benchmarks/inspect.py [--repeat 5] [--only inspect shapes edit]
"""

from __future__ import annotations

import os
import sys

# This file is named like the standard library's ``inspect``: keep its folder off the import path
# (numpy and Keras import ``inspect``), and find the package in the repository when not installed.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.append(os.path.dirname(_HERE))

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def branched_network(ed, branches: int, depth: int, features: int, units: int, extra_tail: int):
    """Input -> ``branches`` chains of ``depth`` Dense -> Concatenate tree -> tail -> Output."""
    x = ed.add("input", name="x", shape=[features])
    ends = []
    for b in range(branches):
        prev = x
        for i in range(depth):
            d = ed.add("Dense", name=f"b{b}_d{i}", units=units, activation="relu")
            ed.connect(prev, d)
            prev = d
        ends.append(prev)
    k = 0
    while len(ends) > 1:
        a, b = ends.pop(0), ends.pop(0)
        cat = ed.add("Concatenate", name=f"cat{k}")
        k += 1
        ed.connect(a, cat)
        ed.connect(b, cat)
        ends.append(cat)
    prev = ends[0]
    tail = ["LayerNormalization", "Dropout", "Dense", "Dense", "Activation"][:extra_tail]
    for i, kind in enumerate(tail):
        params = {"units": units} if kind == "Dense" else {"rate": 0.1} if kind == "Dropout" else \
            {"activation": "relu"} if kind == "Activation" else {}
        c = ed.add(kind, name=f"tail{i}", **params)
        ed.connect(prev, c)
        prev = c
    head = ed.add("Dense", name="head", units=10, activation="softmax")
    ed.connect(prev, head)
    ed.connect(head, ed.add("output", name="y"))
    return ed


def timed(fn, repeat: int):
    t = time.perf_counter()
    fn()
    cold = time.perf_counter() - t
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t)
    return cold, statistics.median(warm)


def bench_inspect(repeat: int):
    import keras

    from nncards_widget import NetworkEditor

    ed = NetworkEditor()
    # 1 + 4*23 + 3 concatenates + 2 tail + head + output = 100 cards
    branched_network(ed, branches=4, depth=23, features=64, units=32, extra_tail=2)
    assert len(ed.cards) == 100, len(ed.cards)
    model = ed.build()
    batch = np.random.default_rng(0).normal(size=(256, 64)).astype("float32")
    feed = {"x": batch}

    predict_cold, predict_warm = timed(lambda: model.predict(feed, batch_size=256, verbose=0),
                                       repeat)
    _, on_batch_warm = timed(lambda: model.predict_on_batch(feed), repeat)
    inspect_cold, inspect_warm = timed(lambda: ed.inspect(batch), repeat)
    screen = [c.uid for c in ed.cards[40:60]]

    def inspect_and_make(uids):
        ed.inspect(batch)
        t = time.perf_counter()
        ed._inspector.make(uids)
        return time.perf_counter() - t

    make_screen = statistics.median(inspect_and_make(screen) for _ in range(repeat))
    make_all = statistics.median(inspect_and_make([c.uid for c in ed.cards])
                                 for _ in range(repeat))
    assert ed.model is model and all(c.preview for c in ed.cards)

    # each card's tensor: its layer's output; an Output card (no layer) is a model output
    tensors = [model.outputs[model.output_names.index(c.name)] if c.card_id == "output"
               else model.get_layer(c.name).output for c in ed.cards]
    subs = []

    def per_card_cold():
        subs.clear()
        for tensor in tensors:
            sub = keras.Model(model.inputs, tensor)
            sub.predict(feed, batch_size=256, verbose=0)
            subs.append(sub)

    def per_card_warm():
        for sub in subs:
            sub.predict(feed, batch_size=256, verbose=0)

    t = time.perf_counter()
    per_card_cold()
    subs_cold = time.perf_counter() - t
    _, subs_warm = timed(per_card_warm, 1)
    np.testing.assert_allclose(subs[50].predict(feed, verbose=0), ed.outputs[ed.cards[50].name],
                               rtol=1e-4, atol=1e-5)

    print(f"== inspect: {len(ed.cards)}-card network, batch {len(batch)} "
          f"({len(model.layers)} Keras layers) ==")
    print(f"  one model.predict          cold {predict_cold * 1e3:8.1f} ms   "
          f"warm {predict_warm * 1e3:8.1f} ms")
    print(f"  (model.predict_on_batch                         warm {on_batch_warm * 1e3:8.1f} ms: "
          f"no data pipeline)")
    print(f"  ed.inspect (all cards)     cold {inspect_cold * 1e3:8.1f} ms   "
          f"warm {inspect_warm * 1e3:8.1f} ms")
    print(f"  one sub-model per card     cold {subs_cold * 1e3:8.1f} ms   "
          f"warm {subs_warm * 1e3:8.1f} ms")
    print(f"  ratio inspect / predict          warm {inspect_warm / predict_warm:5.2f}x   "
          f"(aim <= 2x)   cold {inspect_cold / predict_cold:5.2f}x")
    print(f"  ratio inspect / predict_on_batch warm {inspect_warm / on_batch_warm:5.2f}x   "
          f"(aim <= 3x: forward pass with every card's output, previews pending)")
    print(f"  then previews of 20 cards on screen (a view's request)  {make_screen * 1e3:8.1f} ms")
    print(f"  then previews of all {len(ed.cards)} cards together          "
          f"{make_all * 1e3:8.1f} ms   (inspect + all previews / predict_on_batch: "
          f"{(inspect_warm + make_all) / on_batch_warm:5.2f}x)")
    print(f"  ratio sub-models / inspect       warm {subs_warm / inspect_warm:5.2f}x   "
          f"cold {subs_cold / inspect_cold:5.2f}x")
    return inspect_warm / predict_warm


def bench_shapes(repeat: int):
    from nncards_widget import NetworkEditor
    from nncards_widget.builder import ModelBuilder

    ed = NetworkEditor()
    ed.live_shapes.mode = "eager"
    # 1 + 6*48 + 5 concatenates + 4 tail + head + output = 300 cards
    branched_network(ed, branches=6, depth=48, features=64, units=32, extra_tail=4)
    assert len(ed.cards) == 300, len(ed.cards)

    def full_rebuild(defer):
        ModelBuilder(ed.snapshot(), strict=False, defer=defer).build_cards()

    # The reference is what a full rebuild was before shapes were computed without weights:
    # every card's layer built with its weights made. The same rebuild without weights is shown.
    _, full = timed(lambda: full_rebuild(False), max(1, repeat // 2))
    _, full_deferred = timed(lambda: full_rebuild(True), max(1, repeat // 2))

    def edit(card, name, values):
        times, rebuilt = [], 0
        for i in range(repeat):
            t = time.perf_counter()
            setattr(card, name, values[i % 2])
            times.append(time.perf_counter() - t)
            rebuilt = len(ed.live_shapes.last_rebuilt)
        setattr(card, name, values[1])  # back to the original value
        return statistics.median(times), rebuilt

    print(f"== live shapes: {len(ed.cards)}-card network ==")
    print(f"  full rebuild of every card, with weights {full * 1e3:8.1f} ms")
    print(f"  full rebuild of every card, no weights   {full_deferred * 1e3:8.1f} ms")
    results = {}
    for label, card, name, values in [
        ("middle of a branch (b2_d24.units)", ed["b2_d24"], "units", (31, 32)),
        ("last layer (head.units)", ed["head"], "units", (11, 10)),
        ("worst case: Input shape (x.shape)", ed["x"], "shape", ([63], [64])),
    ]:
        t, rebuilt = edit(card, name, values)
        results[label] = full / t
        print(f"  edit {label:36s} {t * 1e3:8.1f} ms  ({rebuilt:3d} cards rebuilt)  "
              f"{full / t:6.1f}x faster than a full rebuild")
    assert ed["y"].output_shape == "(None, 10)" and not any(c.error for c in ed.cards)
    return results


class _CountingComm:
    """A comm to a pretend front end: counts what the kernel sends and serializes it, as a
    kernel's comm would."""

    sent: list = []

    def __init__(self, comm_id=None, **kwargs):
        import uuid

        self.comm_id = comm_id or uuid.uuid4().hex
        self.kernel = True

    def send(self, data=None, metadata=None, buffers=None):
        import json

        self.sent.append(len(json.dumps(data)))

    def on_msg(self, callback):
        pass

    def on_close(self, callback):
        pass

    def close(self, *args, **kwargs):
        pass


def bench_edit_messages(repeat: int, n: int = 1000):
    """3. The kernel side of one parameter edit on an ``n``-card chain: time until its messages
    are sent, how many and how large (shapes, parameter counts and wire shapes go in one
    'states' message). The worst case is a chain of shape-keeping layers after the edited Dense,
    where every card's and wire's shape changes."""
    import comm

    from nncards_widget import NetworkEditor

    sent = _CountingComm.sent
    made = comm.create_comm
    comm.create_comm = _CountingComm
    try:
        print(f"== one edit on a {n}-card chain, kernel side (comm messages sent) ==")
        for label, kind, edit in [("Dense chain: mid-chain card.units", "Dense", "mid"),
                                  ("Dense chain: the Input card's shape", "Dense", "input"),
                                  ("worst case: first Dense of Activations", "Activation",
                                   "first")]:
            ed = NetworkEditor()
            ed.live_shapes.mode = "eager"
            x = prev = ed.add("input", name="x", shape=[32])
            cards = []
            for i in range(n - 2):
                c = ed.add("Dense", units=32) if kind == "Dense" or i == 0 else \
                    ed.add("Activation", activation="relu")
                ed.connect(prev, c)
                prev = c
                cards.append(c)
            ed.connect(prev, ed.add("output", name="y"))
            card, name, values = {"mid": (cards[len(cards) // 2], "units", (31, 32)),
                                  "input": (x, "shape", ([31], [32])),
                                  "first": (cards[0], "units", (31, 32))}[edit]
            times, counts, sizes = [], [], []
            for i in range(repeat if edit != "first" else max(1, repeat // 2)):
                del sent[:]
                t = time.perf_counter()
                setattr(card, name, values[i % 2])
                times.append(time.perf_counter() - t)
                counts.append(len(sent))
                sizes.append(sum(sent))
            print(f"  {label:42s} {statistics.median(times) * 1e3:8.1f} ms  "
                  f"{max(counts):5d} messages  {max(sizes) / 1e3:7.1f} kB")
            ed.close()
    finally:
        comm.create_comm = made


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", nargs="+", choices=("inspect", "shapes", "edit"),
                    default=["inspect", "shapes", "edit"])
    args = ap.parse_args()
    if "inspect" in args.only:
        bench_inspect(args.repeat)
    if "shapes" in args.only:
        bench_shapes(args.repeat)
    if "edit" in args.only:
        bench_edit_messages(args.repeat)


if __name__ == "__main__":
    main()

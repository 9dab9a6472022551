"""Benchmark of the training monitor (issue 11): what ``callbacks=[ed.monitor()]`` costs ``fit``.

Two networks, each trained with and without the monitor in alternating rounds on the same
compiled model (so both pay the same warm, already traced train step), best of ``--repeat``:

1. the wine network of notebooks/wine_classification.ipynb (Input(13) -> Dense(3, softmax),
   Adam, scikit-learn's bundled wine data, 40 epochs of batch 16, validation on a held-out
   quarter);
2. a 100-card network (six branches of 15 Dense(32, relu) cards, a Concatenate tree, Dense,
   Output) on 4096 random examples, 10 epochs of batch 64, with validation.

The monitor gets a probe batch of 64 examples, so its card statistics include the activations.
Aim: ratio (with / without) at most 1.05, and the monitor's own time (measured inside the
callback) at most 5% of the fit time. The monitor's own time is also printed: the part of
it that does not grow with the fit (making the probe model, one sample at the start and one at
the end; about 0.3 s for the 100-card network on a busy 2-core machine) is why the aim holds for
fits of a few seconds and more, not for a fit of a second.

    python benchmarks/monitor.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

# benchmarks/inspect.py is named like the standard library's ``inspect``: keep this folder off the
# import path, and find the package in the repository when not installed.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.append(os.path.dirname(_HERE))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def wine_case():
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from nncards_widget import NetworkEditor

    data = load_wine()
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.25, stratify=data.target, random_state=0)
    scaler = StandardScaler().fit(x_train)
    x_train = scaler.transform(x_train).astype("float32")
    x_test = scaler.transform(x_test).astype("float32")
    ed = NetworkEditor()
    wine = ed.add("input", name="wine", shape=[13])
    dense = ed.add("Dense", name="dense", units=3, activation="softmax")
    ed.connect(wine, dense)
    ed.connect(dense, ed.add("output", name="cultivar"))
    fit_args = dict(x=x_train, y=np.eye(3)[y_train], epochs=40, batch_size=16,
                    validation_data=(x_test, np.eye(3)[y_test]), verbose=0)
    return "wine network (3 cards, 40 epochs)", ed, fit_args, x_train[:64]


def hundred_card_case():
    from nncards_widget import NetworkEditor

    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[32])
    ends = []
    for b in range(6):
        prev = x
        for i in range(15):
            d = ed.add("Dense", name=f"b{b}_d{i}", units=32, activation="relu")
            ed.connect(prev, d)
            prev = d
        ends.append(prev)
    k = 0
    while len(ends) > 1:
        cat = ed.add("Concatenate", name=f"cat{k}")
        k += 1
        ed.connect(ends.pop(0), cat)
        ed.connect(ends.pop(0), cat)
        ends.append(cat)
    head = ed.add("Dense", name="head", units=4, activation="softmax")
    ed.connect(ends[0], head)
    ed.connect(head, ed.add("output", name="y"))
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(4096, 32)).astype("float32")
    ys = np.eye(4)[rng.integers(0, 4, 4096)]
    fit_args = dict(x=xs, y=ys, epochs=10, batch_size=64, validation_split=0.2, verbose=0)
    return f"{len(ed.cards)}-card network (10 epochs)", ed, fit_args, xs[:64]


def run(case, repeat: int):
    import keras

    keras.utils.set_random_seed(0)
    title, ed, fit_args, probe = case()
    model = ed.build()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(**{**fit_args, "epochs": 1})  # trace the train and test steps once
    plain, monitored, plain_cpu, monitored_cpu, overhead = [], [], [], [], []

    def timed(wall: list, cpu: list, **extra):
        t, c = time.perf_counter(), time.process_time()
        model.fit(**fit_args, **extra)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)

    for _ in range(repeat):
        timed(plain, plain_cpu)
        mon = ed.monitor(probe=probe)
        timed(monitored, monitored_cpu, callbacks=[mon])
        overhead.append(mon.overhead)
    ratio = min(monitored) / min(plain)
    cpu_ratio = min(monitored_cpu) / min(plain_cpu)
    own = min(overhead) / min(plain)
    print(f"{title}: fit {min(plain):.3f} s without the monitor, {min(monitored):.3f} s with it "
          f"(best of {repeat}); ratio {ratio:.3f} (process CPU time: {cpu_ratio:.3f}); the "
          f"monitor's own time {min(overhead):.3f} s = {own:.1%} of the fit, {mon.samples} card "
          f"samples, {len(ed.history.get('loss', []))} epochs in ed.history")
    return ratio, cpu_ratio, own


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    results = [run(case, args.repeat) for case in (wine_case, hundred_card_case)]
    worst = [max(r[i] for r in results) for i in range(3)]
    for (what, limit), value in zip((("ratio of wall times", 1.05), ("ratio of CPU times", 1.05),
                                     ("the monitor's own time / fit time", 0.05)), worst,
                                    strict=True):
        print(f"aim: {what} <= {limit:g} -- {'met' if value <= limit else 'NOT met'} "
              f"(worst {value:.3f})")
    print("(On a shared machine wall and CPU times of whole fits are noisy; the monitor's own "
          "time is measured inside the callback.)")


if __name__ == "__main__":
    main()

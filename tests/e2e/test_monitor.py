"""The training monitor in the browser: during ``model.fit(..., callbacks=[ed.monitor()])`` the
editor's panel shows the progress and the loss / accuracy charts; afterwards the card with a
dead ReLU layer has the "dead" cue on its face and in the inspector, the others do not, and what
the view shows agrees with ``ed.history`` and ``card.training`` in the kernel.

The fit is slowed down by a small sleep per batch (a LambdaCallback in the notebook), so that the
panel can be seen while training runs.
"""

from __future__ import annotations

import json

from .canvas_helpers import Canvas

SETUP = (
    "import json, time\n"
    "import numpy as np, keras\n"
    "from nncards_widget import NetworkEditor\n"
    "keras.utils.set_random_seed(0)\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='x', shape=[6])\n"
    "hidden = ed.add('Dense', name='hidden', units=8, activation='relu')\n"
    "head = ed.add('Dense', name='head', units=3, activation='softmax')\n"
    "ed.connect(x, hidden); ed.connect(hidden, head)\n"
    "ed.connect(head, ed.add('output', name='y'))\n"
    "bias = ed.add('initializer_Constant', name='negative_bias', value=-20.0)\n"
    "ed.connect(bias, hidden['Bias initializer'])  # every ReLU of 'hidden' is off, and stays\n"
    "rng = np.random.default_rng(0)\n"
    "xs = rng.normal(size=(120, 6)).astype('float32')\n"
    "ys = np.eye(3)[(xs[:, 0] > 0).astype(int) + (xs[:, 1] > 0.5).astype(int)]\n"
    "model = ed.build()\n"
    "model.compile(optimizer=keras.optimizers.Adam(0.01), loss='categorical_crossentropy',\n"
    "              metrics=['accuracy'])\n"
    "slow = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: time.sleep(0.03))"
)

FIT = (
    "hist = model.fit(xs, ys, validation_split=0.2, epochs=20, batch_size=8, verbose=0,\n"
    "                 callbacks=[slow, ed.monitor(probe=xs[:32], interval=0.2, budget=0.5)])\n"
    "print('KERNEL', json.dumps({'epochs': len(ed.history['loss']),\n"
    "      'same': ed.history == hist.history,\n"
    "      'states': {c.name: c.training.get('state') for c in ed.cards}}))"
)

PANEL = '[data-testid="nncards-training-panel"]'


def test_training_monitor_panel_and_card_cues(open_notebook):
    nb = open_notebook("training_monitor", [SETUP, "ed"], viewport=(1500, 1100))
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(5)
    canvas.wait_wires(4)
    panel = canvas.root.locator(PANEL)
    assert not panel.is_visible()  # no fit yet: no panel

    # start the fit without waiting for it, and watch the panel while it trains
    cell = nb.add_cell(FIT, run=False)
    nb.js("panel.content.activeCellIndex = arg; panel.content.deselectAll();"
          "app.commands.execute('notebook:run-cell'); return 0;", cell)
    page = nb.page
    page.wait_for_function(
        "sel => { const p = document.querySelector(sel);"
        " return p && p.dataset.status === 'training' && p.querySelector('.nnc-series-batch') }",
        arg=PANEL, timeout=120000)
    progress = panel.locator('[data-testid="nncards-training-progress"]').inner_text()
    assert progress.startswith("Training · epoch ") and "ETA" in progress, progress
    nb.shot("training in progress", locator=canvas.root)

    page.wait_for_function(
        "sel => { const p = document.querySelector(sel); return p && p.dataset.status === 'done' }",
        arg=PANEL, timeout=240000)
    nb.wait_idle()
    nb.assert_no_error_outputs([cell])
    kernel = next(json.loads(line[len("KERNEL "):]) for line in nb.output_text(cell).splitlines()
                  if line.startswith("KERNEL "))
    assert kernel["epochs"] == 20 and kernel["same"] is True
    assert kernel["states"]["hidden"] == "dead" and kernel["states"]["head"] != "dead", kernel

    progress = panel.locator('[data-testid="nncards-training-progress"]').inner_text()
    assert progress.startswith("Done · epoch 20/20 · step 12/12"), progress
    bar = panel.locator('[role="progressbar"]')
    assert bar.get_attribute("aria-valuenow") == "100"
    charts = panel.locator('[data-testid="nncards-training-chart"]')
    assert [charts.nth(i).get_attribute("data-metric") for i in range(charts.count())] == [
        "loss", "accuracy"]
    for metric in ("loss", "accuracy"):
        chart = panel.locator(f'[data-metric="{metric}"]')
        for series in ("nnc-series-batch", "nnc-series-epoch", "nnc-series-val"):
            d = chart.locator(f"path.{series}").get_attribute("d")
            assert d and d.count("L") >= 10, (metric, series, d)

    # the card cues: the dead layer is framed and labelled "DEAD", the head is not
    hidden = canvas.card("hidden")
    head = canvas.card("head")
    face = canvas.face(hidden["uid"])
    assert "nnc-training-dead" in face and ">DEAD<" in face
    head_face = canvas.face(head["uid"])
    state = kernel["states"]["head"]
    assert f"nnc-training-{state}" in head_face and ">DEAD<" not in head_face
    # cards without weights carry no cue
    assert "nnc-training" not in canvas.face(canvas.card("x")["uid"])

    # the inspector shows the state, why, and the rule: select the card, and open the inspector
    # with its toolbar button if it is folded (a network that fits only without it opens so)
    canvas.click_card(hidden["uid"])
    toggle = canvas.root.locator('[data-testid="nncards-inspector-toggle"]')
    nb.page.wait_for_timeout(300)
    if toggle.get_attribute("aria-pressed") == "false":
        toggle.click()
    insp = canvas.root.locator('[data-testid="nncards-inspector"]')
    block = insp.locator('[data-testid="nncards-training"]')
    block.wait_for(state="visible")
    assert block.locator('[data-testid="nncards-training-state"]').inner_text().lower() == "dead"
    text = block.inner_text()
    assert "100% of its outputs on the probe batch are zero" in text
    assert 'Rule for "dead": at least 95%' in text
    nb.shot("after the fit: dead layer flagged", locator=canvas.root)
    nb.assert_no_errors()

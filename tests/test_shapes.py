"""Live shapes: every change of the graph updates shapes, parameter counts and errors, only
downstream of the change; build() reuses the live Keras objects without sharing layers between
models."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from nncards_widget import BuildError, NetworkEditor


def trainable(model) -> int:
    return sum(int(np.prod(v.shape)) for v in model.trainable_weights)


def chain(ed, n=3, features=13, units=(8, 6, 4)):
    """Input -> Dense x n -> Output; returns (input, [dense...], output)."""
    prev = x = ed.add("input", name="x", shape=[features])
    dense = []
    for i in range(n):
        d = ed.add("Dense", name=f"d{i}", units=units[i % len(units)], activation="relu")
        ed.connect(prev, d)
        dense.append(d)
        prev = d
    out = ed.add("output", name="y")
    ed.connect(prev, out)
    return x, dense, out


def wire_between(ed, a, b):
    return next(w for w in ed.wires if w.source_card is a and w.target_card is b)


def test_add_and_connect_show_shapes_counts_and_wire_labels(editor):
    ed = editor
    x = ed.add("input", name="x", shape=[13])
    assert x.output_shape == "(None, 13)" and x.param_count == 0 and x.error == ""
    d = ed.add("Dense", units=3, activation="softmax")
    # a layer with nothing wired into it: marked with the reason, no shape
    assert d.output_shape is None and "nothing connected" in d.error and "'Input'" in d.error
    w = ed.connect(x, d)
    assert d.error == ""
    assert d.output_shape == "(None, 3)"
    assert d.param_count == 13 * 3 + 3
    assert w.shape == "(None, 13)"
    out = ed.add("output", name="y")
    w2 = ed.connect(d, out)
    assert w2.shape == "(None, 3)" and out.output_shape == "(None, 3)"
    assert ed.total_params == 42


def test_parameter_edit_recomputes_only_downstream(editor):
    ed = editor
    x, (d0, d1, d2), out = chain(ed)
    live = ed.live_shapes
    before = {c.name: (live.layer(c), live.tensor(c)) for c in ed.cards}
    d1.units = 5
    # the edited card and the cards whose input shapes changed; not 'y' (d2 still gives 4)
    assert live.last_rebuilt == ["d1", "d2"]
    # upstream of the edit, and downstream past the change of shapes: the same Keras objects
    for c in (x, d0, out):
        assert live.layer(c) is before[c.name][0] and live.tensor(c) is before[c.name][1]
    assert out.output_shape == "(None, 4)"
    # the edited card and the card it feeds: new objects with the new shapes
    for c in (d1, d2):
        assert live.tensor(c) is not before[c.name][1]
    assert d1.output_shape == "(None, 5)" and d1.param_count == 8 * 5 + 5
    assert d2.param_count == 5 * 4 + 4
    assert wire_between(ed, d1, d2).shape == "(None, 5)"
    d2.units = 2
    assert live.last_rebuilt == ["d2", "y"]
    assert out.output_shape == "(None, 2)"


def test_input_shape_edit_updates_every_card(editor):
    ed = editor
    x, dense, out = chain(ed)
    x.shape = [7]
    # only the cards whose inputs changed shape: d0 still gives (None, 8), so d1.. stay
    assert ed.live_shapes.last_rebuilt == ["x", "d0"]
    assert dense[0].param_count == 7 * 8 + 8
    assert [c.output_shape for c in dense[1:] + [out]] == ["(None, 6)", "(None, 4)",
                                                           "(None, 4)"]
    # a model built now is the new network all through (its tensors are connected)
    model = ed.build()
    assert model.inputs[0].shape == (None, 7) and model.get_layer("d0").kernel.shape == (7, 8)
    assert wire_between(ed, x, dense[0]).shape == "(None, 7)"


def test_input_rank_change_updates_every_shape_through_the_existing_layers(editor):
    """The worst case: a new Input rank changes every card's shape. Each card gives its new
    shape through the layer it has (Keras checks the new input against the layer's input
    spec), so no layer is made anew and the counts stay; a last dimension a layer was not built
    for makes that layer anew; a model built afterwards is the new network all through."""
    ed = editor
    x, dense, out = chain(ed)
    layers = [ed.live_shapes.layer(d) for d in dense]
    counts = [d.param_count for d in dense]
    total = ed.total_params
    x.shape = [5, 13]
    assert [c.output_shape for c in dense + [out]] == ["(None, 5, 8)", "(None, 5, 6)",
                                                       "(None, 5, 4)", "(None, 5, 4)"]
    assert [ed.live_shapes.layer(d) for d in dense] == layers  # the very same objects
    assert [d.param_count for d in dense] == counts and ed.total_params == total
    assert wire_between(ed, dense[0], dense[1]).shape == "(None, 5, 8)"
    # a last dimension d0 was not built for: d0 is made anew, its count follows
    x.shape = [5, 9]
    assert ed.live_shapes.layer(dense[0]) is not layers[0]
    assert dense[0].param_count == 9 * 8 + 8 and dense[0].output_shape == "(None, 5, 8)"
    assert ed.total_params == total - 13 * 8 + 9 * 8
    # the built model has its own layers, built for the new shapes, and runs
    model = ed.build()
    assert model.output_shape == (None, 5, 4)
    assert all(model.get_layer(f"d{i}") is not layers[i] for i in range(3))
    assert model.predict_on_batch(np.ones((2, 5, 9), "float32")).shape == (2, 5, 4)
    assert trainable(model) == ed.total_params


def test_an_update_stops_where_results_stop_changing(editor, monkeypatch):
    """Editing the Input shape of a long chain looks at the cards whose inputs changed and
    their next card, not at every card downstream; a later edit that changes every shape
    downstream still reaches the end."""
    from nncards_widget.builder import ModelBuilder

    ed = editor
    ed.live_shapes.mode = "eager"
    x = prev = ed.add("input", name="x", shape=[4])
    for i in range(40):
        d = ed.add("Dense" if i < 2 else "Activation", name=f"c{i}",
                   **({"units": 8} if i < 2 else {"activation": "relu"}))
        ed.connect(prev, d)
        prev = d
    ed.connect(prev, ed.add("output", name="y"))
    looked = []
    signature = ModelBuilder.signature
    monkeypatch.setattr(ModelBuilder, "signature",
                        lambda self, uid: looked.append(uid) or signature(self, uid))
    x.shape = [5]
    assert ed.live_shapes.last_rebuilt == ["x", "c0"]
    assert len(set(looked)) == 3  # x, c0 (rebuilt), c1 (same input shape: its result stays)
    assert ed["c0"].param_count == 5 * 8 + 8 and ed["y"].output_shape == "(None, 8)"
    del looked[:]
    ed["c1"].units = 3  # every Activation after it changes shape
    assert ed.live_shapes.last_rebuilt == ["c1", *(f"c{i}" for i in range(2, 40)), "y"]
    assert ed["y"].output_shape == "(None, 3)" and ed.wires[-1].shape == "(None, 3)"
    model = ed.build()  # a model is built all through on the new shapes
    assert model.get_layer("c0").kernel.shape == (5, 8) and model.output_shape == (None, 3)


def test_disconnect_and_remove_mark_downstream_and_keep_upstream(editor):
    ed = editor
    x, (d0, d1, d2), out = chain(ed)
    d0_layer = ed.live_shapes.layer(d0)
    ed.disconnect(wire_between(ed, d0, d1))
    assert d0.output_shape == "(None, 8)" and d0.error == ""
    assert ed.live_shapes.layer(d0) is d0_layer
    assert d1.output_shape is None and "nothing connected" in d1.error
    assert d2.output_shape is None and "'d1'" in d2.error and "has an error" in d2.error
    assert out.output_shape is None and out.error
    ed.connect(d0, d1)
    assert [c.error for c in ed.cards] == [""] * 5
    assert out.output_shape == "(None, 4)"
    # remove a card: its wires go, the card after it is marked, the others keep their shapes
    ed.remove(d1)
    assert "nothing connected" in d2.error and d0.output_shape == "(None, 8)"
    assert ed.total_params == 13 * 8 + 8  # d0 only: d2 cannot be built
    ed.connect(d0, d2)
    assert out.output_shape == "(None, 4)" and d2.param_count == 8 * 4 + 4


def test_error_on_one_card_leaves_the_other_branch(editor):
    ed = editor
    a = ed.add("input", name="a", shape=[4])
    b = ed.add("input", name="b", shape=[6])
    da = ed.add("Dense", name="da", units=3)
    db = ed.add("Dense", name="db", units=5)
    add = ed.add("Add", name="add")
    ed.connect(a, da)
    ed.connect(b, db)
    ed.connect(da, add)
    ed.connect(db, add)
    after = ed.add("Dense", name="after", units=2)
    ed.connect(add, after)
    # Add of (None, 3) and (None, 5): the Add card says so; both branches keep their shapes
    assert add.output_shape is None
    assert "add" in add.error and "(None, 3)" in add.error and "(None, 5)" in add.error
    assert "'add'" in after.error and after.output_shape is None
    assert (da.output_shape, db.output_shape) == ("(None, 3)", "(None, 5)")
    assert (da.error, db.error) == ("", "")
    db.units = 3  # fix it
    assert add.error == "" and add.output_shape == "(None, 3)"
    assert after.error == "" and after.output_shape == "(None, 2)"


def test_bad_parameter_marks_only_that_card(editor):
    ed = editor
    x = ed.add("input", name="x", shape=[12])
    r = ed.add("Reshape", name="r", target_shape=[5, 5])
    d = ed.add("Dense", name="d", units=2)
    ed.connect(x, r)
    ed.connect(r, d)
    assert "'r'" in r.error and "(None, 12)" in r.error
    assert x.output_shape == "(None, 12)" and x.error == ""
    r.target_shape = [3, 4]
    assert r.output_shape == "(None, 3, 4)" and d.output_shape == "(None, 3, 2)"


def test_total_params_match_the_built_model(editor):
    ed = editor
    tokens = ed.add("input", name="tokens", shape=[20])
    feats = ed.add("input", name="feats", shape=[5])
    emb = ed.add("Embedding", input_dim=50, output_dim=8, mask_zero=True)
    lstm = ed.add("LSTM", units=6)
    bi = ed.add("Bidirectional")
    dense = ed.add("Dense", units=4, activation="relu")
    cat = ed.add("Concatenate", name="cat")
    head = ed.add("Dense", name="head", units=3, activation="softmax")
    aux = ed.add("Dense", name="aux", units=1)
    ed.connect(tokens, emb)
    ed.connect(lstm["Layer instance"], bi["Layer"])
    ed.connect(emb, bi)
    ed.connect(feats, dense)
    ed.connect(bi, cat)
    ed.connect(dense, cat)
    ed.connect(cat, head)
    ed.connect(cat, aux)
    ed.connect(head, ed.add("output", name="label"))
    ed.connect(aux, ed.add("output", name="score"))
    assert cat.output_shape == "(None, 16)" and bi.output_shape == "(None, 12)"
    assert lstm.output_shape is None and lstm.error == ""  # wrapped: its parameters are bi's
    model = ed.build()
    assert ed.total_params == trainable(model)
    for c in (emb, bi, dense, head, aux):
        assert c.param_count == trainable(model.get_layer(c.name))


def test_total_params_count_a_layer_shared_by_two_wrappers_once(editor):
    ed = editor
    x = ed.add("input", name="x", shape=[10, 8])
    inner = ed.add("Dense", name="inner", units=4)
    td1, td2 = ed.add("TimeDistributed", name="td1"), ed.add("TimeDistributed", name="td2")
    cat = ed.add("Concatenate", name="cat")
    for td in (td1, td2):
        ed.connect(inner["Layer instance"], td["Layer"])
        ed.connect(x, td)
        ed.connect(td, cat)
    ed.connect(cat, ed.add("output", name="y"))
    assert td1.param_count == td2.param_count == 8 * 4 + 4  # each wrapper shows its layer's
    assert ed.total_params == 8 * 4 + 4  # one set of weights
    model = ed.build()
    assert ed.total_params == trainable(model)
    ed.remove(td2)
    assert ed.total_params == 8 * 4 + 4


def test_time_distributed_wrapped_layer_follows_input_changes(editor):
    ed = editor
    x = ed.add("input", name="x", shape=[10, 8])
    inner = ed.add("Dense", name="inner", units=4)
    td = ed.add("TimeDistributed", name="td")
    ed.connect(inner["Layer instance"], td["Layer"])
    ed.connect(x, td)
    assert td.output_shape == "(None, 10, 4)" and td.param_count == 8 * 4 + 4
    x.shape = [10, 6]  # the wrapped Dense gets a fresh layer, built for 6 features
    assert td.output_shape == "(None, 10, 4)" and td.param_count == 6 * 4 + 4
    inner.units = 2
    assert td.output_shape == "(None, 10, 2)" and td.param_count == 6 * 2 + 2


def test_view_requests_update_shapes(editor):
    ed = editor
    x, (d0, d1, d2), out = chain(ed)
    reply = ed._handle_view_request(ed, {"type": "set_param", "request_id": 1, "uid": d2.uid,
                                         "name": "units", "value": 9}, [])
    assert reply["ok"], reply
    assert d2.output_shape == "(None, 9)" and out.output_shape == "(None, 9)"


def test_renaming_a_card_renames_its_layer(editor):
    ed = editor
    x, (d0, d1, d2), out = chain(ed)
    d1.name = "middle"
    assert ed.live_shapes.layer(d1).name == "middle"
    assert ed.build().get_layer("middle").units == 6


def test_first_build_reuses_the_live_layers_later_builds_do_not_share(editor, tmp_path):
    ed = editor
    x, (d0, d1, d2), out = chain(ed)
    m1 = ed.build()
    assert ed.live_shapes.last_rebuilt == []  # made from the live cache
    assert m1.get_layer("d1") is ed.live_shapes.layer(d1)
    m2 = ed.build()  # a second build: fresh layers all through
    assert set(map(id, m1.layers)).isdisjoint(map(id, m2.layers))
    d2.units = 7  # live update after a build reads m2's tensors but changes nothing in m2
    assert m2.get_layer("d2").units == 4 and d2.output_shape == "(None, 7)"
    m3 = ed.build()
    assert set(map(id, m2.layers)).isdisjoint(map(id, m3.layers))
    assert m3.outputs[0].shape == (None, 7)
    sample = np.random.default_rng(0).normal(size=(4, 13)).astype("float32")
    for m in (m1, m2, m3):  # independent weights, each model saves and loads back
        m.compile(optimizer="sgd", loss="mse")
        path = tmp_path / f"{m.name}_{id(m)}.keras"
        m.save(path)
        import keras
        back = keras.models.load_model(path)
        np.testing.assert_allclose(back.predict({"x": sample}, verbose=0),
                                   m.predict({"x": sample}, verbose=0), rtol=1e-6)
    m1.layers[1].kernel.assign(np.zeros((13, 8), "float32"))
    assert not np.allclose(m2.get_layer("d0").kernel.numpy(), 0)


def test_failed_build_changes_nothing_and_names_the_card(editor):
    ed = editor
    x = ed.add("input", name="x", shape=[12])
    r = ed.add("Reshape", name="r", target_shape=[5, 5])
    d = ed.add("Dense", name="d", units=2)
    ed.connect(x, r)
    ed.connect(r, d)
    ed.connect(d, ed.add("output", name="y"))
    with pytest.raises(BuildError, match="'r'.*12"):
        ed.build()
    assert x.output_shape == "(None, 12)" and "'r'" in r.error and ed.model is None
    r.target_shape = [4, 3]
    assert ed.build().outputs[0].shape == (None, 4, 2)


def test_deferred_updates_coalesce(editor):
    ed = editor
    ed.live_shapes.mode = "deferred"
    x, dense, out = chain(ed)
    assert out.output_shape is None and ed.live_shapes.pending
    ed.refresh_shapes()
    assert out.output_shape == "(None, 4)"
    for d in dense:  # three edits, one update: each card rebuilt once
        d.units = 3
    assert dense[0].output_shape == "(None, 8)"
    ed.refresh_shapes()
    assert sorted(ed.live_shapes.last_rebuilt) == ["d0", "d1", "d2", "y"]
    assert [d.output_shape for d in dense] == ["(None, 3)"] * 3
    # build() runs a pending update first
    assert ed.build().outputs[0].shape == (None, 3)


def test_inside_a_running_event_loop_one_update_per_turn():
    async def cell():
        ed = NetworkEditor()  # mode "auto": deferred while a loop runs (a kernel)
        x, dense, out = chain(ed)
        assert out.output_shape is None  # not yet: the update runs after the "cell"
        await asyncio.sleep(0)
        assert out.output_shape == "(None, 4)" and not ed.live_shapes.pending
        dense[0].units = 2
        dense[1].units = 2
        await asyncio.sleep(0)
        assert ed.live_shapes.last_rebuilt == ["d0", "d1", "d2"]  # d2 still gives 4: not 'y'

        return ed

    ed = asyncio.run(cell())
    assert ed["d1"].param_count == 2 * 2 + 2


def test_json_load_gets_shapes(editor):
    ed = editor
    chain(ed)
    ed2 = NetworkEditor.from_json(ed.to_json())
    assert [c.output_shape for c in ed2.cards] == [c.output_shape for c in ed.cards]
    assert ed2.total_params == ed.total_params

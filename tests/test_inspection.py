"""ed.inspect(sample): one forward pass, every card's output equal to what a Keras sub-model gives,
previews with statistics and PNG pictures, staleness, multi-input/output, wrappers and masking."""

from __future__ import annotations

import base64
import re
import struct
import warnings
import zlib

import keras
import numpy as np
import pytest

from nncards_widget.inspection import InspectionError, encode_png, preview, previews


def submodel_output(model, name, feed):
    """What plain Keras gives for a card: keras.Model(model.inputs, layer output); an Output
    card (no layer of its own) gives the model output of its name."""
    if name in model.output_names:
        tensor = model.outputs[model.output_names.index(name)]
    else:
        tensor = model.get_layer(name).output
    sub = keras.Model(model.inputs, tensor)
    if not isinstance(feed, dict):
        feed = {model.inputs[0].name: feed}
    return np.asarray(sub(feed, training=False))


def decode_png(uri: str):
    """(width, height, palette size, pixel bytes) of our PNG data URIs, checking every CRC."""
    assert uri.startswith("data:image/png;base64,")
    data = base64.b64decode(uri.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(tag + body) & 0xFFFFFFFF, tag
        chunks[tag] = chunks.get(tag, b"") + body
        pos += 12 + n
    w, h, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert color == 3 and depth in (1, 8)  # indexed colour, 8 bits or 1 bit per pixel
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (w * depth + 7) // 8
    assert len(raw) == h * (stride + 1)
    rows = np.frombuffer(raw, np.uint8).reshape(h, stride + 1)[:, 1:]
    pixels = rows if depth == 8 else np.unpackbits(rows, axis=1)[:, :w]
    return w, h, len(chunks[b"PLTE"]) // 3, pixels


def decode_svg_bars(uri: str):
    """(width, height, [bar heights left to right]) of a histogram's large SVG picture."""
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    w, h = (int(re.search(f'{k}="(\\d+)"', svg).group(1)) for k in ("width", "height"))
    bars = [(float(x), int(y), int(v)) for x, y, v in re.findall(r"M([\d.]+) (\d+)v-(\d+)", svg)
            if int(v)]  # an empty bin: a bar of length 0, which shows nothing
    assert all(y == h and 0 < v <= h for _, y, v in bars)
    return w, h, [v for _, _, v in sorted(bars)]


def dense_net(ed):
    x = ed.add("input", name="x", shape=[13])
    d1 = ed.add("Dense", name="hidden", units=8, activation="relu")
    d2 = ed.add("Dense", name="probs", units=3, activation="softmax")
    ed.connect(x, d1)
    ed.connect(d1, d2)
    ed.connect(d2, ed.add("output", name="y"))
    return x, d1, d2


@pytest.fixture
def sample():
    return np.random.default_rng(0).normal(size=(16, 13)).astype("float32")


def test_png_encoder_roundtrip():
    img = (np.arange(12 * 7).reshape(7, 12) % 256).astype(np.uint8)
    uri = "data:image/png;base64," + base64.b64encode(encode_png(img)).decode()
    w, h, n, pixels = decode_png(uri)
    assert (w, h, n) == (12, 7, 256)
    np.testing.assert_array_equal(pixels, img)


def test_inspect_values_equal_keras_submodels(editor, sample):
    ed = editor
    dense_net(ed)
    outs = ed.inspect(sample)  # no model yet: inspect builds one
    model = ed.model
    assert model is not None
    assert set(outs) == {"x", "hidden", "probs", "y"}
    for name in outs:
        np.testing.assert_allclose(outs[name], submodel_output(model, name, sample),
                                   rtol=1e-5, atol=1e-6)
    assert ed.outputs["hidden"] is outs["hidden"]
    np.testing.assert_allclose(ed.outputs["x"], sample)
    with pytest.raises(KeyError, match="'nope'.*'hidden'"):
        ed.outputs["nope"]


def test_preview_statistics_and_pictures(editor, sample):
    ed = editor
    x, hidden, probs = dense_net(ed)
    ed.inspect(sample)
    out = ed.outputs["hidden"]
    p = hidden.preview
    assert p["shape"] == [16, 8] and p["dtype"] == "float32" and p["kind"] == "histogram"
    assert p["min"] == pytest.approx(out.min()) and p["max"] == pytest.approx(out.max())
    assert p["mean"] == pytest.approx(out.mean(), abs=1e-6)
    assert p["std"] == pytest.approx(out.std(), rel=1e-5)
    assert p["zeros"] == pytest.approx(np.mean(out == 0))
    assert 0 < p["zeros"] < 1  # relu: some zeros
    small = decode_png(p["image"])
    assert len(np.unique(small[3])) >= 2  # bars on a background
    # the large picture: 64 bars as high as the histogram's counts relative to the highest
    w, h, bars = decode_svg_bars(p["image_large"])
    assert small[0] * small[1] < w * h
    counts, _ = np.histogram(out, bins=64, range=(out.min(), out.max()))
    assert len(bars) == np.count_nonzero(counts) and max(bars) == h - 2
    np.testing.assert_array_equal(bars, np.ceil(counts[counts > 0] / counts.max() * (h - 2)))
    assert probs.preview["min"] >= 0 and probs.preview["max"] <= 1
    assert not any(c.stale for c in ed.cards)


def test_pictures_fit_the_tensor(editor):
    ed = editor
    tokens = ed.add("input", name="tokens", shape=[12])
    emb = ed.add("Embedding", input_dim=30, output_dim=6)
    ed.connect(tokens, emb)
    ed.connect(emb, ed.add("output", name="seq"))
    img = ed.add("input", name="img", shape=[10, 10, 1])
    conv = ed.add("Conv2D", filters=4, kernel_size=[3, 3], activation="relu")
    ed.connect(img, conv)
    ed.connect(conv, ed.add("output", name="maps"))
    rng = np.random.default_rng(1)
    ed.inspect({"tokens": rng.integers(0, 30, (5, 12)), "img": rng.normal(size=(5, 10, 10, 1))})
    assert emb.preview["kind"] == "heatmap" and emb.preview["shape"] == [5, 12, 6]
    assert conv.preview["kind"] == "channels" and conv.preview["shape"] == [5, 8, 8, 4]
    assert tokens.preview["kind"] == "histogram"
    for c in (emb, conv):
        w, h, _, pixels = decode_png(c.preview["image_large"])
        assert w > h > 0 and len(np.unique(pixels)) > 4


def test_trained_model_outputs_show(editor, sample):
    ed = editor
    dense_net(ed)
    model = ed.build()
    before = ed.inspect(sample)["probs"].copy()
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="categorical_crossentropy")
    y = np.eye(3)[np.arange(16) % 3]
    model.fit({"x": sample}, y, epochs=3, verbose=0)
    after = ed.inspect(sample)["probs"]
    assert ed.model is model  # the trained model, not a new one
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, submodel_output(model, "probs", sample), rtol=1e-5,
                               atol=1e-6)


def test_changes_mark_previews_stale_until_the_next_inspect(editor, sample):
    ed = editor
    x, hidden, probs = dense_net(ed)
    ed.inspect(sample)
    assert not hidden.stale and hidden.preview["shape"] == [16, 8]
    hidden.units = 5
    assert all(c.stale for c in (x, hidden, probs))
    assert hidden.preview["shape"] == [16, 8]  # the old preview stays, marked stale
    with pytest.warns(UserWarning, match="changed since the last build"):
        ed.inspect(sample)  # the graph changed: builds again, previews fresh
    assert not any(c.stale for c in ed.cards)
    assert hidden.preview["shape"] == [16, 5]
    assert ed.model.get_layer("hidden").units == 5


def test_a_preview_made_after_a_change_is_of_the_inspected_output_and_stale(editor, sample):
    """Previews are made when read: one first read after the graph changed still shows what the
    inspection saw (the same values as made at once), marked stale."""
    ed = editor
    x, hidden, probs = dense_net(ed)
    ed.inspect(sample)
    hidden.units = 5  # before any preview was read
    out = ed.outputs["hidden"]
    assert hidden.stale and probs.stale
    p = hidden.preview
    assert p["shape"] == [16, 8] and "pending" not in p
    assert p["min"] == pytest.approx(out.min()) and p["max"] == pytest.approx(out.max())
    assert p == preview(out) and probs.preview == preview(ed.outputs["probs"])
    assert hidden.stale


def test_live_inspection_follows_changes(editor, sample):
    ed = editor
    x, hidden, probs = dense_net(ed)
    ed.inspect(sample, live=True)
    hidden.units = 4
    assert not hidden.stale and hidden.preview["shape"] == [16, 4]
    np.testing.assert_allclose(ed.outputs["hidden"],
                               submodel_output(ed.model, "hidden", sample), rtol=1e-5, atol=1e-6)
    # an unfinished graph: previews stay stale, nothing raises; they come back once it builds
    w = next(w for w in ed.wires if w.target_card is probs)
    ed.disconnect(w)
    assert probs.stale and ed._inspector.last_error
    ed.connect(hidden, probs)
    assert not probs.stale and probs.preview["shape"] == [16, 3]
    ed.inspect(sample)  # live=False turns it off
    hidden.units = 6
    assert hidden.stale


def test_multi_input_multi_output_with_merge(editor):
    ed = editor
    a = ed.add("input", name="a", shape=[4])
    b = ed.add("input", name="b", shape=[6])
    da = ed.add("Dense", name="da", units=3)
    cat = ed.add("Concatenate", name="cat")
    head = ed.add("Dense", name="head", units=2, activation="softmax")
    ed.connect(a, da)
    ed.connect(da, cat)
    ed.connect(b, cat)
    ed.connect(cat, head)
    ed.connect(head, ed.add("output", name="label"))
    ed.connect(cat, ed.add("output", name="features"))
    rng = np.random.default_rng(2)
    feed = {"a": rng.normal(size=(7, 4)).astype("float32"),
            "b": rng.normal(size=(7, 6)).astype("float32")}
    outs = ed.inspect(feed)
    assert outs["cat"].shape == (7, 9) and outs["label"].shape == (7, 2)
    np.testing.assert_allclose(outs["cat"][:, 3:], feed["b"], rtol=1e-6)
    for name in ("da", "cat", "head", "label", "features"):
        np.testing.assert_allclose(outs[name], submodel_output(ed.model, name, feed), rtol=1e-5,
                                   atol=1e-6)
    with pytest.raises(InspectionError, match="2 Input cards.*'a'.*'b'"):
        ed.inspect(feed["a"])
    with pytest.raises(InspectionError, match="no array for Input card 'b'"):
        ed.inspect({"a": feed["a"]})
    with pytest.raises(InspectionError, match="'c'.*not Input cards"):
        ed.inspect({**feed, "c": feed["a"]})


def test_masking_and_wrappers(editor):
    ed = editor
    tokens = ed.add("input", name="tokens", shape=[10])
    emb = ed.add("Embedding", input_dim=40, output_dim=6, mask_zero=True)
    lstm = ed.add("LSTM", units=5, return_sequences=True)
    bi = ed.add("Bidirectional", merge_mode="concat")
    inner = ed.add("Dense", name="inner", units=3)
    td = ed.add("TimeDistributed", name="td")
    pool = ed.add("GlobalAveragePooling1D", name="pool")
    ed.connect(tokens, emb)
    ed.connect(lstm["Layer instance"], bi["Layer"])
    ed.connect(emb, bi)
    ed.connect(inner["Layer instance"], td["Layer"])
    ed.connect(bi, td)
    ed.connect(td, pool)
    ed.connect(pool, ed.add("output", name="y"))
    rng = np.random.default_rng(3)
    x = rng.integers(1, 40, (6, 10))
    x[:, 6:] = 0  # padding, masked from here on
    outs = ed.inspect(x)
    assert "lstm" not in outs and "inner" not in outs  # wrapped layers: shown by their wrapper
    assert lstm.preview == {} and inner.preview == {}
    assert outs["bidirectional"].shape == (6, 10, 10) and outs["td"].shape == (6, 10, 3)
    for name in ("embedding", "bidirectional", "td", "pool"):
        np.testing.assert_allclose(outs[name], submodel_output(ed.model, name, x), rtol=1e-5,
                                   atol=1e-6)
    # the mask took effect: the average ignores the padded steps
    np.testing.assert_allclose(outs["pool"], outs["td"][:, :6].mean(1), rtol=1e-5, atol=1e-6)
    assert bi.preview["kind"] == "heatmap"


def test_wrong_sample_shape_names_the_input_card_and_both_shapes(editor, sample):
    ed = editor
    dense_net(ed)
    with pytest.raises(InspectionError) as err:
        ed.inspect(sample[:, :12])
    msg = str(err.value)
    assert "'x'" in msg and "(16, 12)" in msg and "(None, 13)" in msg
    with pytest.raises(InspectionError, match=r"\(13,\).*batch axis"):
        ed.inspect(sample[0])
    ed.inspect(sample)  # and a right one works after the errors
    assert ed.outputs["y"].shape == (16, 3)


def test_inspect_uses_the_model_in_place_without_rebuilding(editor, sample):
    ed = editor
    dense_net(ed)
    model = ed.build()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ed.inspect(sample)
        ed.inspect(sample)
    assert ed.model is model


def test_previews_of_many_outputs_match_numpy():
    """The statistics of one inspection's outputs, made together, are numpy's for each output:
    NaN and infinities left out, integers and booleans counted, empty and text outputs blank."""
    rng = np.random.default_rng(3)
    relu = np.maximum(rng.normal(3.0, 0.01, size=(64, 40)), 0).astype("float32")
    holes = rng.normal(size=(32, 5)).astype("float32")
    holes[0, :3] = [np.nan, np.inf, -np.inf]
    big = rng.uniform(-2, 5, size=(4, 70000)).astype("float32")  # histogram of a sample
    arrays = [relu, holes, rng.integers(-3, 3, size=(9, 4)), rng.normal(size=(3, 5)) > 0,
              np.zeros((0, 4), "float32"), np.array([["a"]]), np.full((8, 3), 2.5, "float32"),
              big]
    got = previews(arrays)
    for a, p in zip(arrays[:4] + arrays[6:], got[:4] + got[6:], strict=True):
        f = a.astype("float64")
        f = f[np.isfinite(f)]
        assert p["shape"] == list(a.shape) and p["dtype"] == str(a.dtype)
        assert p["min"] == pytest.approx(f.min()) and p["max"] == pytest.approx(f.max())
        assert p["mean"] == pytest.approx(f.mean(), rel=1e-6, abs=1e-6)
        assert p["std"] == pytest.approx(f.std(), rel=1e-4, abs=1e-6)
        assert p["zeros"] == pytest.approx(np.mean(a == 0))
        assert decode_png(p["image"])[0] == 96
        assert decode_svg_bars(p["image_large"])[2], "a histogram shows at least one bar"
    _, _, bars = decode_svg_bars(got[6]["image_large"])
    assert len(bars) == 1  # every value the same: one bar
    for p in got[4:6]:
        assert p["min"] is None and p["image"] == "" and p["image_large"] == ""
    assert preview(relu) == got[0]

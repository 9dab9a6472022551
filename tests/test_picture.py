"""ed.to_svg() / ed.to_png(): the network drawn by the kernel, with no view displayed."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from PIL import Image

from nncards_widget import NetworkEditor
from nncards_widget.format import format_number, format_stat, js_number
from nncards_widget.picture import network_scene, wire_points

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def ed():
    ed = NetworkEditor()
    x = ed.add("input", name="features", shape=[13], position={"x": 0, "y": 0})
    d = ed.add("Dense", name="hidden", units=8, activation="relu", position={"x": 330, "y": 0})
    head = ed.add("Dense", name="head", units=1, position={"x": 640, "y": 0})
    out = ed.add("output", name="score", position={"x": 950, "y": 0})
    init = ed.add("initializer_GlorotUniform", name="init", position={"x": 0, "y": 300})
    ed.add("Dropout", name="lone", rate=0.2, position={"x": 330, "y": 420})
    ed.connect(x, d)
    ed.connect(d, head)
    ed.connect(head, out)
    ed.connect(init, d["Kernel initializer"])
    yield ed
    ed.close()


def _cards(root) -> dict:
    return {g.get("data-name"): g for g in root.iter(f"{SVG}g") if g.get("class") == "card"}


def _texts(el) -> list:
    return [t.text for t in el.iter(f"{SVG}text")]


def test_svg_parses_names_every_card_and_has_one_path_per_wire(ed, tmp_path):
    svg = ed.to_svg(tmp_path / "net.svg")
    assert (tmp_path / "net.svg").read_text(encoding="utf-8") == svg
    root = ET.fromstring(svg)
    cards = _cards(root)
    assert set(cards) == {c.name for c in ed.cards}
    for card in ed.cards:
        assert card.name in _texts(cards[card.name]), card.name  # the name under the title
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == len(ed.wires) == 4
    assert all(p.get("class") == "wire" for p in paths)
    # coloured by port type: three Tensor wires (blue), one Initializer wire (green)
    assert sorted(p.get("stroke") for p in paths) == ["#1f9a62"] + ["#2f6fd0"] * 3
    # a wire starts on its output dot and ends on its input dot
    hidden = next(c for c in ed.cards if c.name == "hidden")
    d = next(p for p in paths if p.get("stroke") == "#1f9a62").get("d")
    end = d.split()[-1].split(",")
    inner = cards["hidden"].find(f"{SVG}svg")
    dots = [(float(c.get("cx")) + float(inner.get("x")), float(c.get("cy")) + float(inner.get("y")))
            for c in inner.iter(f"{SVG}circle")]
    assert any(math.dist(dot, (float(end[0]), float(end[1]))) < 0.2 for dot in dots), (end, dots)
    # a card's position is its top-left corner
    assert (hidden.position["x"], hidden.position["y"]) == (float(inner.get("x")),
                                                            float(inner.get("y")))


def test_faces_show_the_compact_rows_values_shape_and_parameter_count(ed):
    hidden = _texts(_cards(ET.fromstring(ed.to_svg()))["hidden"])
    for text in ("Dense layer", "Units", "8", "Activation", "relu", "Kernel initializer", "Input",
                 "+ 6 ports · 4 settings", "(None, 8)", "112 params"):
        assert text in hidden, (text, hidden)
    assert "Trainable" not in hidden and "Lora rank" not in hidden
    lone = _texts(_cards(ET.fromstring(ed.to_svg()))["lone"])
    assert "not connected yet" in lone
    # a setting edited away from its default shows
    next(c for c in ed.cards if c.name == "hidden").trainable = False
    hidden = _texts(_cards(ET.fromstring(ed.to_svg()))["hidden"])
    assert "Trainable" in hidden and "false" in hidden and "+ 6 ports · 3 settings" in hidden


def test_png_decodes_at_the_scale_asked(ed, tmp_path):
    svg_root = ET.fromstring(ed.to_svg())
    w, h = int(svg_root.get("width")), int(svg_root.get("height"))
    png = ed.to_png(tmp_path / "net.png")
    assert (tmp_path / "net.png").read_bytes() == png
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.size == (2 * w, 2 * h)
    assert Image.open(io.BytesIO(ed.to_png(scale=1))).size == (w, h)
    # not blank: the cards' headers and the wires are coloured
    colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 50
    px = img.convert("RGB")
    blue = sum(1 for _, (r, g, b) in colours if b > 150 and r < 90)
    assert blue, "no blue Tensor wire or dot in the PNG"
    assert px.getpixel((2, 2)) == (255, 255, 255)


def test_pictures_show_in_a_notebook_and_print_short(ed):
    formatter = InteractiveShell.instance().display_formatter
    data, _ = formatter.format(ed.to_svg())
    assert data["image/svg+xml"].startswith("<svg")
    assert len(data["text/plain"]) < 80, data["text/plain"]
    # wider than a notebook's output: shown at the output's width, its shape kept by viewBox
    shown = ET.fromstring(data["image/svg+xml"])
    assert shown.get("width") == "100%" and shown.get("height") is None and shown.get("viewBox")
    data, _ = formatter.format(ed.to_png(scale=1))
    assert "image/png" in data and "PNG picture" in data["text/plain"]
    small = NetworkEditor()
    small.add("input", name="a", shape=[3])
    assert ET.fromstring(small.to_svg()._repr_svg_()).get("width") == "232"
    small.close()


def test_an_inspection_preview_and_an_error_are_drawn():
    ed = NetworkEditor()
    x = ed.add("input", name="features", shape=[4], position={"x": 0, "y": 0})
    d = ed.add("Dense", name="hidden", units=3, position={"x": 300, "y": 0})
    out = ed.add("output", name="y", position={"x": 600, "y": 0})
    ed.connect(x, d)
    ed.connect(d, out)
    ed.inspect(np.ones((2, 4), dtype="float32"))
    root = ET.fromstring(ed.to_svg())
    hidden = _cards(root)["hidden"]
    assert hidden.find(f".//{SVG}image") is not None
    assert any(t.startswith("(2, 3) · float32") for t in _texts(hidden)), _texts(hidden)
    ed.add("Reshape", name="bad", target_shape=[7], position={"x": 300, "y": 400})
    ed.connect(d, ed.card("bad"))
    bad = _cards(ET.fromstring(ed.to_svg()))["bad"]
    assert any(r.get("stroke") == "#d32f2f" for r in bad.iter(f"{SVG}rect")), "no red frame"
    assert "!" in _texts(bad)
    Image.open(io.BytesIO(ed.to_png())).verify()
    ed.close()


def test_an_empty_network_and_a_bad_scale():
    ed = NetworkEditor()
    assert ET.fromstring(ed.to_svg()).get("width") == "48"
    assert Image.open(io.BytesIO(ed.to_png())).size == (96, 96)
    for scale in (0, -1, float("nan"), "2", 100):
        with pytest.raises(ValueError, match="scale"):
            ed.to_png(scale=scale)
    ed.close()


def test_a_png_too_large_is_refused_with_the_scale_that_fits(ed):
    x, y, w, h = network_scene(ed).bounds()
    with pytest.raises(ValueError, match=r"more than 100,000,000\); use scale [\d.]+ or less"):
        ed.to_png(scale=16)
    with pytest.raises(ValueError) as e:
        ed.to_png(scale=16)
    most = float(str(e.value).split("use scale ")[1].split()[0])
    assert math.ceil(w * most) * math.ceil(h * most) <= 100_000_000


@pytest.mark.parametrize("value, text", [
    (3.0, "3"), (0.1 + 0.2, "0.3"), (2.5, "2.5"), (1234567.5, "1.23e+6"), (0.0001234, "1.23e-4"),
    (1e-7, "1e-7"), (1e21, "1e+21"), (-0.00015, "-1.5e-4"), (1.00005, "1"), (123.456, "123.5"),
])
def test_numbers_are_written_as_on_the_canvas(value, text):
    """format.ts's formatNumber (String(Number(v.toPrecision(4))) or toExponential(2))."""
    assert format_number(value) == text


def test_javascript_number_text():
    assert [js_number(v) for v in (0.1, 1e-7, 123456789012345680000.0, 1e21, 5e-324, -2.0)] == \
        ["0.1", "1e-7", "123456789012345680000", "1e+21", "5e-324", "-2"]
    assert [format_stat(v) for v in (0.1234, 12345.6, 123456.0, 0.0, None)] == \
        ["0.123", "12300", "1.23e5", "0", "–"]


def test_an_imported_model_with_a_nested_model_is_drawn():
    """Cards made in the kernel (a nested model, laid out by the importer) are pictured too."""
    import keras

    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="inner_dense")],
                             name="twin")
    x = keras.Input((4,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, name="top")(inner(x)))
    ed = NetworkEditor.from_model(model)
    root = ET.fromstring(ed.to_svg())
    cards = _cards(root)
    assert set(cards) == {c.name for c in ed.cards} and "twin" in cards
    assert len(list(root.iter(f"{SVG}path"))) == len(ed.wires)
    twin = _texts(cards["twin"])
    assert any(t.endswith("cards") for t in twin), twin  # its inner graph, as on the canvas
    # no two cards overlap in the picture (the importer's layout, the same card heights)
    boxes = [(float(s.get("x")), float(s.get("y")), float(s.get("width")), float(s.get("height")))
             for s in (g.find(f"{SVG}svg") for g in cards.values())]
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
    Image.open(io.BytesIO(ed.to_png(scale=1))).verify()
    ed.close()


def test_a_wire_looping_backwards_stays_inside_the_picture():
    ed = NetworkEditor()
    a = ed.add("Dense", name="first", units=2, position={"x": 600, "y": 0})
    b = ed.add("Dense", name="second", units=2, position={"x": 0, "y": 300})
    ed.connect(a, b)  # from the right-hand card back to the left-hand one: a loop on the left
    scene = network_scene(ed)
    x, y, w, h = scene.bounds()
    loop = wire_points(scene.wires[0])
    assert min(px for px, _ in loop) < min(c.x for c in scene.cards)
    assert all(x < px < x + w and y < py < y + h for px, py in loop)
    ed.close()

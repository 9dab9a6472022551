"""The compact card face in the kernel: which rows a card shows (catalogue 'primary', values away
from their defaults) and the heights the kernel places cards with."""

from __future__ import annotations

from nncards_widget import NetworkEditor, catalog
from nncards_widget.editor import card_height
from nncards_widget.geometry import CARD, layout_card


def _rows(spec, **kw):
    return [r.name for r in layout_card(spec, **kw).rows]


def test_primary_parameters_are_derived_by_the_catalogue():
    def primary(card):
        return [p.name for p in catalog.get(card).params if p.primary]

    assert primary("Dense") == ["units", "activation", "use_bias"]
    assert primary("Conv2D") == ["filters", "kernel_size", "strides", "padding"]
    # cards.json may say so per input: a recurrent layer's return_sequences, not its
    # recurrent activation
    assert "return_sequences" in primary("LSTM") and "recurrent_activation" not in primary("LSTM")
    # a generated card: its first Keras arguments
    assert primary("MultiHeadAttention") == ["num_heads", "key_dim", "value_dim", "dropout"]
    for spec in catalog.cards():
        names = primary(spec.id)
        assert not {"trainable", "dtype", "seed", "data_format"} & set(names), spec.id
        assert not any(n.startswith("lora_") for n in names), spec.id
        assert len(names) <= catalog.PRIMARY_LIMIT, (spec.id, names)
        assert all(p.get("primary") for p in spec.to_dict()["inputs"] if p["name"] in names)


def test_a_row_shows_when_required_primary_or_set_away_from_its_default():
    dense = catalog.get("Dense")
    compact = _rows(dense)
    assert compact == ["layer_instance", "output", "units", "activation", "use_bias", "input",
                       "__more__"]
    assert layout_card(dense).rows[-1].label == "+ 7 ports · 4 settings"
    assert "trainable" in _rows(dense, values={"trainable": False})
    assert "trainable" not in _rows(dense, values={"trainable": True})
    assert "kernel_initializer" in _rows(dense, connected={"in:kernel_initializer"})
    everything = layout_card(dense, expanded=True)
    assert len(everything.rows) == len(dense.inputs) + len(dense.outputs) + 1
    assert everything.rows[-1].label == "− fewer"
    # an optional Tensor port folds until it has a wire
    mha = catalog.get("MultiHeadAttention")
    assert {"query", "value"} <= set(_rows(mha)) and "key" not in _rows(mha)
    assert "key" in _rows(mha, connected={"in:key"})


def test_json_equality_decides_what_is_a_default():
    use_bias = catalog.get("Dense").input("use_bias")
    assert use_bias.at_default(True) and not use_bias.at_default(1)
    strides = catalog.get("Conv2D").input("strides")
    assert strides.at_default((1, 1)) and strides.at_default([1.0, 1])
    assert not strides.at_default([2, 1])


def test_the_kernel_places_cards_with_the_heights_their_values_give():
    dense = catalog.get("Dense")
    tall = {"trainable": False, "dtype": "float32", "lora_rank": 2}
    assert card_height(dense, tall) == card_height(dense) + 3 * CARD["rowHeight"]
    ed = NetworkEditor()
    cards = [ed.add("Dense", units=4, **(tall if i % 2 else {})) for i in range(12)]
    boxes = [(c.position["x"], c.position["y"], card_height(dense, tall if i % 2 else None))
             for i, c in enumerate(cards)]
    for i, (x1, y1, h1) in enumerate(boxes):  # no two overlap, with their real heights
        for x2, y2, h2 in boxes[i + 1:]:
            assert abs(x1 - x2) >= 240 or abs(y1 - y2) >= (h1 + h2) / 2, (boxes[i], (x2, y2, h2))
    ed.close()

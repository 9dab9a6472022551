"""NetworkEditor in a real JupyterLab 4 and Notebook 7: renders, saves its state, keeps views in sync."""

from __future__ import annotations

import json

import pytest

# A few cards: Input(13) -> Dense(3, softmax) -> Output. The last line displays the editor.
SMALL_NET = (
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='features', shape=[13])\n"
    "d = ed.add('layer_Dense', name='dense', units=3, activation='softmax')\n"
    "y = ed.add('output', name='species')\n"
    "ed.connect(x, d); ed.connect(d, y)\n"
    "ed.layout.height = '360px'\n"
)
CARD_NAMES = ["dense", "features", "species"]


def graph_signature(g: dict) -> dict:
    """What must be identical between two views of one editor."""
    return {
        "cards": sorted(
            (n["id"], n["data"].get("card_id"), n["data"].get("name"),
             round(n["position"]["x"]), round(n["position"]["y"]))
            for n in g["nodes"] if n["data"].get("card_id")
        ),
        "wires": sorted((e["data"]["source"], e["data"]["target"],
                         str(e["data"].get("source_port")), str(e["data"].get("target_port")))
                        for e in g["edges"]),
    }


def card_names(g: dict) -> list[str]:
    return sorted(n["data"]["name"] for n in g["nodes"] if n["data"].get("card_id"))


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_editor_renders(open_notebook, ui):
    nb = open_notebook(f"smoke_{ui}", [SMALL_NET + "ed", "print(len(ed.cards), len(ed.wires))"], ui=ui)
    nb.run_all()
    assert nb.output_text(1).strip() == "3 2"
    graphs = nb.wait_for_graphs(count=1, min_nodes=3)
    assert len(graphs) == 1
    assert card_names(graphs[0]) == CARD_NAMES
    assert len(graphs[0]["edges"]) == 2
    nb.shot(f"editor in {ui}")
    nb.shot("editor close-up", locator=nb.output(0))
    nb.assert_no_errors()


def test_saved_widget_state_reopens(open_notebook, lab_server):
    nb = open_notebook("smoke_saved", [SMALL_NET + "ed"])
    nb.run_all()
    nb.wait_for_graphs(count=1, min_nodes=3)
    nb.shot("before save")
    saved = nb.save()
    state = saved["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    models = state.get("state", {})
    assert any(m.get("model_name") == "NetworkEditorModel" for m in models.values()), (
        "the saved notebook has no NetworkEditorModel in its widget state: "
        + json.dumps(sorted({m.get("model_name") for m in models.values()}))
    )
    nb.close()  # closes the page and shuts the kernel down

    again = open_notebook("smoke_saved")  # no cells given: the saved file as it is
    graphs = again.wait_for_graphs(count=1, min_nodes=3)
    again.shot("reopened")
    assert card_names(graphs[0]) == CARD_NAMES
    assert len(graphs[0]["edges"]) == 2
    assert not again.widget_errors()


def test_two_views_stay_identical(open_notebook):
    nb = open_notebook("smoke_two_views", [SMALL_NET + "ed", "ed"])
    nb.run_all()
    graphs = nb.wait_for_graphs(count=2, min_nodes=3)
    assert len(graphs) == 2
    assert graph_signature(graphs[0]) == graph_signature(graphs[1])

    # Python-side changes: a new card, a new wire, a removed card.
    nb.add_cell(
        "extra = ed.add('layer_Dense', name='extra', units=2)\n"
        "drop = ed.add('layer_Dropout', name='drop', rate=0.5)\n"
        "ed.connect(d, drop)\n"
        "ed.remove(extra)\n"
        "print(sorted(c.name for c in ed.cards))"
    )
    expected = ["dense", "drop", "features", "species"]
    nb.page.wait_for_function(
        """(expected) => {
            const names = [];
            for (const el of document.querySelectorAll('div')) {
              const cy = el._cyreg && el._cyreg.cy;
              if (!cy || cy.destroyed()) continue;
              names.push(JSON.stringify(cy.nodes().filter(n => n.data('card_id')).map(n => n.data('name')).sort()));
            }
            return names.length === 2 && names.every(n => n === JSON.stringify(expected));
        }""",
        arg=expected,
    )
    graphs = nb.cytoscape_graphs()
    nb.shot("two views after python change")
    assert card_names(graphs[0]) == expected
    assert len(graphs[0]["edges"]) == 3
    assert graph_signature(graphs[0]) == graph_signature(graphs[1])
    nb.assert_no_errors()

"""NetworkEditor in a real JupyterLab 4 and Notebook 7: renders, saves its state, keeps views in sync.

Cards are matched by uid: a card's cytoscape node id is its ``Card.uid``; the notebooks print
``{name: uid}`` so the test knows which nodes to expect.
"""

from __future__ import annotations

import json

import pytest

# A few cards: Input(13) -> Dense(3, softmax) -> Output. The last line displays the editor.
SMALL_NET = (
    "import json\n"
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='features', shape=[13])\n"
    "d = ed.add('layer_Dense', name='dense', units=3, activation='softmax')\n"
    "y = ed.add('output', name='species')\n"
    "ed.connect(x, d); ed.connect(d, y)\n"
    "ed.layout.height = '420px'\n"
)
PRINT_UIDS = "print(json.dumps({c.name: c.uid for c in ed.cards}))"


def uids_of(nb, cell: int) -> dict[str, str]:
    return json.loads(nb.output_text(cell).strip().splitlines()[-1])


def card_ids(graph: dict, uids) -> list[str]:
    """The ids of the graph's nodes that are cards (nodes whose id is a card uid)."""
    return sorted(n["id"] for n in graph["nodes"] if n["id"] in set(uids))


def wires(graph: dict) -> list[tuple[str, str]]:
    return sorted((e["data"]["source"], e["data"]["target"]) for e in graph["edges"])


def signature(graph: dict) -> dict:
    """What must be identical between two views of one editor: every node with its position
    (model coordinates) and every edge."""
    return {
        "nodes": sorted((n["id"], round(n["position"]["x"]), round(n["position"]["y"]))
                        for n in graph["nodes"]),
        "edges": sorted((e["id"], e["data"]["source"], e["data"]["target"]) for e in graph["edges"]),
    }


def wait_for_cards(nb, uids, count: int = 1) -> list[dict]:
    """Wait until ``count`` editor views show exactly the cards ``uids``; returns the graphs."""
    return nb.wait_for_nodes(uids, count=count)


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_editor_renders(open_notebook, ui):
    nb = open_notebook(f"smoke_{ui}", [SMALL_NET + "ed", PRINT_UIDS], ui=ui)
    nb.run_all()
    uids = uids_of(nb, 1)
    assert sorted(uids) == ["dense", "features", "species"]
    graphs = wait_for_cards(nb, uids.values())
    assert wires(graphs[0]) == sorted([(uids["features"], uids["dense"]), (uids["dense"], uids["species"])])
    nb.shot(f"editor in {ui}")
    nb.shot("editor close-up", locator=nb.output(0))
    nb.assert_no_errors()


def test_saved_widget_state_reopens(open_notebook, lab_server):
    nb = open_notebook("smoke_saved", [SMALL_NET + "ed", PRINT_UIDS])
    nb.run_all()
    uids = uids_of(nb, 1)
    before = wait_for_cards(nb, uids.values())
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
    after = wait_for_cards(again, uids.values())
    again.shot("reopened")
    assert wires(after[0]) == wires(before[0])
    assert signature(after[0])["nodes"] == signature(before[0])["nodes"]
    assert not again.widget_errors()


def test_two_views_stay_identical(open_notebook):
    nb = open_notebook("smoke_two_views", [SMALL_NET + "ed", "ed", PRINT_UIDS])
    nb.run_all()
    uids = uids_of(nb, 2)
    graphs = wait_for_cards(nb, uids.values(), count=2)
    assert signature(graphs[0]) == signature(graphs[1])

    # Python-side changes: a card added and wired, a card added and removed, a parameter edit.
    i = nb.add_cell(
        "extra = ed.add('layer_Dense', name='extra', units=2)\n"
        "drop = ed.add('layer_Dropout', name='drop', rate=0.5)\n"
        "ed.connect(d, drop)\n"
        "ed.remove(extra)\n"
        "d.units = 4\n"
        + PRINT_UIDS
    )
    uids = uids_of(nb, i)
    assert sorted(uids) == ["dense", "drop", "features", "species"]
    graphs = wait_for_cards(nb, uids.values(), count=2)
    nb.page.wait_for_function(  # the new wire reached both views
        "(n) => [...document.querySelectorAll('div')].filter(e => e._cyreg && e._cyreg.cy)"
        ".every(e => e._cyreg.cy.edges().length === n)", arg=3,
    )
    graphs = nb.cytoscape_graphs()
    nb.shot("two views after python change")
    assert (uids["dense"], uids["drop"]) in wires(graphs[0])
    assert signature(graphs[0]) == signature(graphs[1])
    nb.assert_no_errors()

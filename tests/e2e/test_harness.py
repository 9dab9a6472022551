"""The harness itself, checked with plain ipywidgets / ipycytoscape (no nncards_widget needed)."""

import json


def test_plain_ipywidgets_render_and_save(open_notebook, lab_server):
    nb = open_notebook("harness_slider", [
        "import ipywidgets as w\ns = w.IntSlider(value=3, description='n')\ns",
        "print('value', s.value)",
    ])
    nb.shot("opened")
    nb.run_all()
    nb.wait_for(".widget-slider", cell=0)
    assert nb.output_text(1).strip() == "value 3"
    nb.add_cell("s.value = 7\nprint('now', s.value)")
    assert "now 7" in nb.output_text(2)
    nb.page.wait_for_function(
        "() => [...document.querySelectorAll('.widget-readout')].some(e => e.textContent.trim() === '7')"
    )
    nb.shot("slider at 7")
    saved = nb.save()
    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(m["state"].get("value") == 7 for m in state.values()), json.dumps(state)[:500]
    nb.assert_no_errors()


def test_plain_ipywidgets_notebook7(open_notebook):
    nb = open_notebook("harness_nb7", ["import ipywidgets as w\nw.IntSlider(value=4)"], ui="notebook")
    nb.run_all()
    nb.wait_for(".widget-slider", cell=0)
    nb.shot("notebook7 slider")
    nb.assert_no_errors()


def test_ipycytoscape_two_views_follow_python(open_notebook):
    nb = open_notebook("harness_cyto", [
        "import ipycytoscape\n"
        "g = ipycytoscape.CytoscapeWidget()\n"
        "g.graph.add_graph_from_json({'nodes': [{'data': {'id': 'a'}}, {'data': {'id': 'b'}}],"
        " 'edges': [{'data': {'source': 'a', 'target': 'b'}}]})\n"
        "g.layout.height = '250px'\n"
        "g",
        "g",
    ])
    nb.run_all()
    graphs = nb.wait_for_graphs(count=2, min_nodes=2)
    assert [sorted(n["id"] for n in g["nodes"]) for g in graphs] == [["a", "b"], ["a", "b"]]
    nb.add_cell("g.graph.add_node(ipycytoscape.Node(data={'id': 'c'}))")
    graphs = nb.wait_for_graphs(count=2, min_nodes=3)
    assert [sorted(n["id"] for n in g["nodes"]) for g in graphs] == [["a", "b", "c"]] * 2
    nb.shot("two views")
    nb.assert_no_errors()

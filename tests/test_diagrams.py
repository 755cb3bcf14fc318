"""Tests of common.diagrams: the drawing has one circle per neuron and one arrow per connection."""

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Circle, FancyArrowPatch

from common.diagrams import draw_network


def test_draws_every_node_and_edge():
    ax = draw_network([["x1", "x2"], ["a", "b", "c"], ["y"]], layer_names=["in", "hidden", "out"],
                      edge_labels={(0, 0, 0): "w11"}, node_notes={(2, 0): "b = 0.5"}, title="net")
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(circles) == 6 and len(arrows) == 2 * 3 + 3 * 1
    texts = {t.get_text() for t in ax.texts}
    assert {"x1", "x2", "a", "b", "c", "y", "w11", "b = 0.5", "in", "hidden", "out"} <= texts
    assert ax.get_title() == "net"
    plt.close(ax.figure)


@pytest.mark.parametrize("layers", [[["x"]], [["x"], []]])
def test_rejects_degenerate_networks(layers):
    with pytest.raises(ValueError, match="at least two layers"):
        draw_network(layers)


def test_computational_graph_draws_nodes_arrows_and_both_labels():
    from common.diagrams import draw_computational_graph

    ax = draw_computational_graph(
        nodes={"mul": (2, 0, "×")},
        terminals={"apple": (0, 0.6, "apple"), "num": (0, -0.6, "apple_num"), "out": (4, 0, "price")},
        edges=[("apple", "mul", "100", "2"), ("num", "mul", "2", "100"), ("mul", "out", "200", None)],
        title="graph")
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(circles) == 1
    assert len(arrows) == 3 + 2  # one forward arrow per edge, one backward arrow per gradient given
    texts = [t.get_text() for t in ax.texts]
    assert {"×", "apple", "apple_num", "price", "100", "2", "200"} <= set(texts)
    assert texts.count("100") == 2 and texts.count("2") == 2  # forward and backward labels
    assert ax.get_title() == "graph" and ax.get_legend() is not None
    plt.close(ax.figure)


def test_computational_graph_rejects_unknown_names():
    from common.diagrams import draw_computational_graph

    with pytest.raises(ValueError, match="neither a node nor a terminal"):
        draw_computational_graph(nodes={"mul": (0, 0, "×")}, edges=[("x", "mul", "1", "2")])
    with pytest.raises(ValueError, match="both as node and terminal"):
        draw_computational_graph(nodes={"a": (0, 0, "×")}, terminals={"a": (1, 0, "a")}, edges=[])

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


def test_label_weights_puts_each_weight_next_to_the_circle_its_arrow_leaves():
    import numpy as np

    from common.diagrams import label_weights

    W1, W2 = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[5.0], [6.0]])
    ax = draw_network([["x1", "x2"], ["a", "b"], ["y"]])
    label_weights(ax, [W1, W2])
    labels = {t.get_text(): t.get_position() for t in ax.texts if t.get_text() in list("123456")}
    assert sorted(labels) == list("123456")
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    # "2" is W1[0, 1]: on the arrow from x1 (circle 0) to b (circle 3), nearer to x1 than to b.
    (x0, y0), (x1, y1), (lx, ly) = circles[0].center, circles[3].center, labels["2"]
    assert np.hypot(lx - x0, ly - y0) < np.hypot(lx - x1, ly - y1)
    assert np.isclose((lx - x0) * (y1 - y0), (ly - y0) * (x1 - x0))  # on the line between the two
    with pytest.raises(ValueError, match="do not match"):
        label_weights(ax, [W1])
    plt.close(ax.figure)


def test_decision_plane_counts_mistakes_and_marks_them():
    import numpy as np

    from common.diagrams import decision_legend_handles, draw_decision_plane
    from common.perceptron import perceptron

    fig, ax = plt.subplots()
    assert draw_decision_plane(ax, lambda p: perceptron(p, (0.5, 0.5), -0.7), [0, 0, 0, 1],
                               lines=[((0.5, 0.5), -0.7)]) == 0
    assert draw_decision_plane(ax, lambda p: perceptron(p, (0.5, 0.5), -0.2), [0, 1, 1, 0]) == 1  # OR vs XOR
    assert draw_decision_plane(ax, lambda p: np.zeros(p.shape[:-1], dtype=int), [1, 1, 1, 1], curved=True) == 4
    assert len(ax.lines) == 1 and ax.get_aspect() == 1.0
    assert len(decision_legend_handles()) == 4 and len(decision_legend_handles(curve=True, mistake=True)) == 6
    with pytest.raises(ValueError, match="4 wanted outputs"):
        draw_decision_plane(ax, lambda p: perceptron(p, (1, 1), 0), [0, 1])
    plt.close(fig)


def test_recogniser_approaches_draws_three_rows_and_a_legend():
    import numpy as np

    from common.diagrams import draw_recogniser_approaches

    ax = draw_recogniser_approaches(np.eye(28), answer="7")
    texts = [t.get_text() for t in ax.texts]
    assert texts.count('answer:\n"7"') == 3 and len(ax.images) == 3
    assert ax.figure.legends and "who designs" in ax.get_title()
    plt.close(ax.figure)


def test_matrix_product_draws_three_grids_and_writes_the_shaded_entry_out():
    import numpy as np

    from common.diagrams import draw_matrix_product

    A, B = np.array([[1, 2, 3], [4, 5, 6]]), np.array([[1, 0], [0, 1], [2, -1]])
    ax = draw_matrix_product(A, B, row=1, col=1)
    assert len(ax.patches) == A.size + B.size + 4  # one box per number of A, B and C (2 x 2)
    texts = [t.get_text() for t in ax.texts]
    assert "C[1, 1] = row 1 of A times column 1 of B = 4·0 + 5·1 + 6·(-1) = -1" in texts
    assert {"@", "=", "A\nshape (2, 3)", "B\nshape (3, 2)", "C\nshape (2, 2)"} <= set(texts)
    plt.close(ax.figure)
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2, 2\)"):
        draw_matrix_product(A, np.eye(2))
    with pytest.raises(ValueError, match="outside"):
        draw_matrix_product(A, B, row=2)

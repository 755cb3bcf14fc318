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

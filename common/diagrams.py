"""Drawings of networks: circles for neurons, arrows for signals, drawn with matplotlib.

Introduced in notebook 01, section 2.5 (the two-layer perceptron for XOR).

    >>> draw_network([["x1", "x2"], ["s1\\nNAND", "s2\\nOR"], ["y\\nAND"]],
    ...              layer_names=["layer 0", "layer 1", "layer 2"])
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch


def draw_network(layers, ax=None, layer_names=None, edge_labels=None, node_notes=None, title=None,
                 node_radius=0.32, node_colors=None):
    """Draw a fully connected feed-forward network, left to right, and return the Axes.

    layers:      a list of layers, each a list of node labels (strings), e.g. [["x1", "x2"], ["y"]].
    layer_names: optional caption under each layer ("input layer", "layer 1", ...).
    edge_labels: optional dict {(layer, i, j): text} for the edge from node i of ``layer`` to node j
                 of ``layer + 1``, e.g. a weight.
    node_notes:  optional dict {(layer, i): text} written just above node i of ``layer``, e.g. its bias.
    node_colors: optional list with one colour per layer.
    """
    if len(layers) < 2 or any(len(layer) == 0 for layer in layers):
        raise ValueError("draw_network needs at least two layers, each with at least one node")
    if ax is None:
        _, ax = plt.subplots(figsize=(2.2 * len(layers) + 1, 1.2 * max(map(len, layers)) + 1))
    palette = node_colors or ["#dbe9f6", "#fde2c8", "#d8f0d2", "#eadcf2", "#f6d5d5"]
    spacing_x, spacing_y = 2.4, 1.3
    tallest = max(map(len, layers))

    def position(layer, i):
        offset = (tallest - len(layers[layer])) / 2  # centre short layers vertically
        return layer * spacing_x, -(i + offset) * spacing_y

    for layer in range(len(layers) - 1):
        for i in range(len(layers[layer])):
            for j in range(len(layers[layer + 1])):
                (x0, y0), (x1, y1) = position(layer, i), position(layer + 1, j)
                # Start and end the arrow on the circles' edges, not at their centres.
                length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
                ux, uy = (x1 - x0) / length, (y1 - y0) / length
                ax.add_patch(FancyArrowPatch((x0 + node_radius * ux, y0 + node_radius * uy),
                                             (x1 - node_radius * ux, y1 - node_radius * uy),
                                             arrowstyle="-|>", mutation_scale=12, shrinkA=0, shrinkB=0,
                                             color="#555555", lw=1.0))
                if edge_labels and (layer, i, j) in edge_labels:
                    # Place the label a third of the way along the edge, where edges are still apart.
                    ax.text(x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3, edge_labels[(layer, i, j)], fontsize=9,
                            ha="center", va="center", bbox=dict(fc="white", ec="none", pad=0.5))

    for layer, labels in enumerate(layers):
        for i, label in enumerate(labels):
            x, y = position(layer, i)
            ax.add_patch(Circle((x, y), node_radius, fc=palette[layer % len(palette)], ec="#333333", lw=1.2))
            ax.text(x, y, label, ha="center", va="center", fontsize=10)
            if node_notes and (layer, i) in node_notes:
                ax.text(x, y + node_radius + 0.1, node_notes[(layer, i)], ha="center", va="bottom",
                        fontsize=9, color="#8a3b00")
        if layer_names:
            ax.text(layer * spacing_x, -(tallest - 1) * spacing_y - 0.8, layer_names[layer],
                    ha="center", va="top", fontsize=10, color="#333333")

    ax.set_xlim(-0.8, (len(layers) - 1) * spacing_x + 0.8)
    ax.set_ylim(-(tallest - 1) * spacing_y - 1.3, 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax

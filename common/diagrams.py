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


def draw_computational_graph(nodes, edges, terminals=None, ax=None, title=None, legend=True,
                             node_radius=0.35, forward_color="#1a1a1a", backward_color="#c0392b",
                             fontsize=11):
    """Draw a computational graph (計算グラフ): the forward value above every arrow, the backward
    gradient below it (under a small arrow pointing the other way, in another colour). Returns the Axes.

    Introduced in notebook 05, section 5.1 (the shopping examples, the chain rule, the sigmoid).

    nodes:     {name: (x, y, label)}: the operations, drawn as circles with their label ("×", "+", "exp").
    edges:     a list of (source, target, forward, backward): an arrow from one node or terminal to
               another, with the text written above it (the forward value) and below it (the
               gradient); either text may be None to leave it out.
    terminals: optional {name: (x, y, label)}: where the inputs start and the outputs end, drawn as
               text only (an input's label left of its point, an output's label right of it).

    On a (nearly) vertical edge the two texts stand beside the arrow instead of above and below it.

        >>> draw_computational_graph(
        ...     nodes={"mul": (2, 0, "×")},
        ...     terminals={"apple": (0, 0.6, "apple"), "num": (0, -0.6, "apple_num"), "out": (4, 0, "price")},
        ...     edges=[("apple", "mul", "100", "2"), ("num", "mul", "2", "100"), ("mul", "out", "200", "1")])
    """
    terminals = terminals or {}
    clash = set(nodes) & set(terminals)
    if clash:
        raise ValueError(f"draw_computational_graph: names used both as node and terminal: {sorted(clash)}")
    points = {name: (x, y) for name, (x, y, _) in {**nodes, **terminals}.items()}
    for source, target, *_ in edges:
        for end in (source, target):
            if end not in points:
                raise ValueError(f"draw_computational_graph: edge ({source!r} -> {target!r}) names {end!r}, "
                                 f"which is neither a node nor a terminal")
    if ax is None:
        xs, ys = [p[0] for p in points.values()], [p[1] for p in points.values()]
        _, ax = plt.subplots(figsize=(1.6 * (max(xs) - min(xs)) + 3, 1.6 * (max(ys) - min(ys)) + 2.5))

    def endpoint(name, towards):
        (x, y), (tx, ty) = points[name], towards
        if name not in nodes:
            return x, y
        length = ((tx - x) ** 2 + (ty - y) ** 2) ** 0.5
        return x + node_radius * (tx - x) / length, y + node_radius * (ty - y) / length

    sources = {source for source, *_ in edges}
    for source, target, forward, backward in edges:
        (x0, y0), (x1, y1) = endpoint(source, points[target]), endpoint(target, points[source])
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=14, shrinkA=0,
                                     shrinkB=0, color=forward_color, lw=1.4))
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        nx, ny = (-uy, ux) if ux > 0 or (ux == 0 and uy < 0) else (uy, -ux)  # the normal on the upper side
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        steep = abs(ny) < 0.5  # a (nearly) vertical edge: write the labels beside it, not above and below
        if forward:
            ax.text(mx + 0.14 * nx, my + 0.14 * ny, forward, fontsize=fontsize, color=forward_color,
                    ha=("right" if nx < 0 else "left") if steep else "center",
                    va="center" if steep else "bottom")
        if backward:
            # A short arrow pointing back along the edge, just below it, with the gradient under it.
            half = min(0.35, 0.3 * length)
            bx, by = mx - 0.16 * nx, my - 0.16 * ny
            ax.add_patch(FancyArrowPatch((bx + half * ux, by + half * uy), (bx - half * ux, by - half * uy),
                                         arrowstyle="-|>", mutation_scale=10, shrinkA=0, shrinkB=0,
                                         color=backward_color, lw=1.2))
            ax.text(bx - 0.15 * nx, by - 0.15 * ny, backward, fontsize=fontsize, color=backward_color,
                    ha=("left" if nx < 0 else "right") if steep else "center",
                    va="center" if steep else "top")

    for name, (x, y, label) in nodes.items():
        ax.add_patch(Circle((x, y), node_radius, fc="#fde2c8", ec="#333333", lw=1.2, zorder=3))
        ax.text(x, y, label, ha="center", va="center", fontsize=fontsize + 2 if len(label) <= 2 else fontsize - 1,
                zorder=4)
    for name, (x, y, label) in terminals.items():
        is_input = name in sources
        ax.text(x - 0.1 if is_input else x + 0.1, y, label, ha="right" if is_input else "left", va="center",
                fontsize=fontsize)

    xs, ys = [p[0] for p in points.values()], [p[1] for p in points.values()]
    ax.set_xlim(min(xs) - 1.6, max(xs) + 1.6)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    if legend:
        from matplotlib.lines import Line2D
        ax.legend(handles=[Line2D([], [], color=forward_color, lw=1.4, marker=">", markevery=[1],
                                  label="forward: the value (above the arrow)"),
                           Line2D([], [], color=backward_color, lw=1.2, marker="<", markevery=[0],
                                  label="backward: the gradient (below the arrow)")],
                  loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=fontsize - 1, frameon=False)
    if title:
        ax.set_title(title)
    return ax

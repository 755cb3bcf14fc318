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


# --- Notebooks 01 and 03: weights on crossing arrows, decision regions, three ways to learn ----------

def label_weights(ax, weights, fmt="{:g}"):
    """Write each weight W[i, j] on its arrow in a network drawn by draw_network; returns the Axes.

    Introduced in notebook 02, section 3.3 (used from notebook 01, section 2.5, on).

    weights: one matrix per layer of arrows, W[i, j] for the arrow from node i of that layer to node j
    of the next (the book's orientation: rows = from, columns = to). draw_network's own edge_labels sit
    a third of the way along every arrow, where two crossing arrows can share one spot; here each label
    sits just after the circle its arrow leaves.
    """
    import numpy as np
    from matplotlib.patches import Circle

    weights = [np.asarray(W) for W in weights]
    circles = [patch for patch in ax.patches if isinstance(patch, Circle)]
    first = np.cumsum([0] + [W.shape[0] for W in weights])  # index of each layer's first circle
    if any(W.ndim != 2 for W in weights) or len(circles) != first[-1] + weights[-1].shape[1]:
        raise ValueError(f"label_weights: {len(circles)} circles on the Axes do not match weight matrices of "
                         f"shapes {[W.shape for W in weights]}")
    for k, W in enumerate(weights):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                start, end = circles[first[k] + i], circles[first[k + 1] + j]
                (x0, y0), (x1, y1) = start.center, end.center
                t = (start.radius + 0.35) / np.hypot(x1 - x0, y1 - y0)  # 0.35 beyond the circle's edge
                ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), fmt.format(W[i, j]), fontsize=9,
                        ha="center", va="center", bbox=dict(fc="white", ec="none", pad=0.5))
    return ax


DECISION_COLORS = ("tab:blue", "tab:orange")  # wanted output 0, wanted output 1


def draw_decision_plane(ax, decide, labels, lines=(), curved=False, title=""):
    """The input plane of a two-input gate: where ``decide`` outputs 1 (shaded), the four inputs marked by
    their wanted output, each mistake circled in red. Returns the number of mistakes.

    Introduced in notebook 01, section 2.4.

    decide: a function of an array of points (..., 2) that returns 0/1 for each point.
    labels: the wanted outputs for the four inputs (0,0), (1,0), (0,1), (1,1).
    lines:  (w, b) pairs, each drawn as the line w[0] x1 + w[1] x2 + b = 0.
    curved: also draw the edge of the shaded region as a dashed curve.
    """
    import numpy as np

    from common.perceptron import INPUTS

    grid = np.linspace(-0.5, 1.5, 401)
    x1, x2 = np.meshgrid(grid, grid)
    outputs = decide(np.stack([x1, x2], axis=-1))
    ax.contourf(x1, x2, outputs, levels=[0.5, 1.5], colors=[DECISION_COLORS[1]], alpha=0.18)
    if curved:
        ax.contour(x1, x2, outputs, levels=[0.5], colors="black", linestyles="--", linewidths=1.5)
    for w, b in lines:
        if w[1] != 0:
            ax.plot(grid, -(w[0] * grid + b) / w[1], color="black", lw=1.5)
        else:  # a vertical line
            ax.axvline(-b / w[0], color="black", lw=1.5)
    labels = np.asarray(labels)
    if labels.shape != (4,):
        raise ValueError(f"draw_decision_plane: labels must be the 4 wanted outputs, got shape {labels.shape}")
    ax.scatter(*INPUTS[labels == 0].T, s=110, marker="o", c=DECISION_COLORS[0], edgecolors="black", zorder=3)
    ax.scatter(*INPUTS[labels == 1].T, s=130, marker="^", c=DECISION_COLORS[1], edgecolors="black", zorder=3)
    wrong = np.asarray(decide(INPUTS)) != labels
    ax.scatter(*INPUTS[wrong].T, s=420, facecolors="none", edgecolors="red", lw=2, zorder=4)
    ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), aspect="equal", xlabel="$x_1$", ylabel="$x_2$", title=title)
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    ax.grid(alpha=0.3)
    return int(wrong.sum())


def decision_legend_handles(curve=False, mistake=False):
    """Legend entries for draw_decision_plane: the two kinds of input, the shaded region, the line
    (and, if asked, the dashed curve and the red mistake circle)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], ls="", marker="o", ms=9, mfc=DECISION_COLORS[0], mec="black", label="wanted output 0"),
        Line2D([], [], ls="", marker="^", ms=10, mfc=DECISION_COLORS[1], mec="black", label="wanted output 1"),
        Patch(fc=DECISION_COLORS[1], alpha=0.3, label="region where y = 1"),
        Line2D([], [], color="black", lw=1.5, label="line $w_1x_1 + w_2x_2 + b = 0$"),
    ]
    if curve:
        handles.append(Line2D([], [], color="black", ls="--", lw=1.5, label="curved boundary"))
    if mistake:
        handles.append(Line2D([], [], ls="", marker="o", ms=15, mfc="none", mec="red", mew=2, label="mistake"))
    return handles


def draw_recogniser_approaches(image, answer="5", ax=None):
    """Three ways to build a digit recogniser, one row each, coloured by who designs each step: rules by
    hand; features designed by a person plus machine learning; a network that learns end to end.
    Returns the Axes.

    Introduced in notebook 03, section 4.1.1.

    image: a 28 x 28 digit, drawn at the start of every row; answer: the digit it shows.
    """
    from matplotlib.patches import FancyBboxPatch, Patch

    human, learned = "#f4a261", "#6baed6"
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 6.2), layout="constrained")

    def box(x, y, width, text, colour, height=1.1):
        # A rounded box whose left edge is at x and whose middle is at height y, with centred text.
        ax.add_patch(FancyBboxPatch((x, y - height / 2), width, height, boxstyle="round,pad=0.06",
                                    fc=colour, ec="black", lw=1.2))
        ax.text(x + width / 2, y, text, ha="center", va="center", fontsize=10)

    def arrow(x_from, x_to, y):
        ax.annotate("", xy=(x_to, y), xytext=(x_from, y),
                    arrowprops=dict(arrowstyle="-|>", lw=1.5, color="black", mutation_scale=15))

    rows = {"(1) rules by hand": 5.4, "(2) features +\nmachine learning": 3.4,
            "(3) neural network\n(end-to-end)": 1.4}
    for label, y in rows.items():
        ax.text(0.1, y, label, ha="left", va="center", fontsize=11, fontweight="bold")
        ax.imshow(image, cmap="gray_r", extent=(2.6, 3.6, y - 0.5, y + 0.5), zorder=2)
        ax.add_patch(plt.Rectangle((2.6, y - 0.5), 1.0, 1.0, fc="none", ec="black", lw=1.2, zorder=3))
        arrow(3.7, 4.3, y)
        box(11.1, y, 1.3, f'answer:\n"{answer}"', "white")
        arrow(10.5, 11.0, y)
    box(4.4, rows["(1) rules by hand"], 6.0,
        "an algorithm written by a person\n(\"a flat stroke on top, then a round belly ...\")", human)
    y = rows["(2) features +\nmachine learning"]
    box(4.4, y, 2.6, "features designed\nby a person\n(SIFT, HOG)", human, height=1.2)
    arrow(7.1, 7.7, y)
    box(7.8, y, 2.6, "machine learning\n(SVM, KNN)", learned, height=1.2)
    box(4.4, rows["(3) neural network\n(end-to-end)"], 6.0,
        "neural network: learns everything\nstraight from the raw pixels", learned)
    ax.text(3.1, 6.25, "the data", ha="center", fontsize=10)
    ax.set(xlim=(0, 12.6), ylim=(0.5, 6.5), aspect="equal",
           title="Three ways to build a digit recogniser: who designs each step?")
    ax.axis("off")
    ax.figure.legend(handles=[Patch(fc=human, ec="black", label="designed by a person"),
                              Patch(fc=learned, ec="black", label="learned from data by the machine")],
                     loc="outside lower center", ncol=2, fontsize=10)
    return ax


# --- Notebooks 07a/07b: many XOR runs (histograms of final losses, shares, outcome bars) ----------

import numpy as np  # noqa: E402  (this section is appended to the module; the drawings above need no NumPy)

XOR_OUTCOME_COLORS = {"solved": "tab:green", "1/4": "tab:purple", "1/3": "tab:orange", "1/2": "tab:red",
                      "1": "tab:brown", "other": "tab:gray"}
XOR_LOSS_BINS = np.logspace(-6, 0.5, 45)
_PLATEAU_TICKS = {"1/4": (0.25, "¼ "), "1/3": (1 / 3, "⅓\n"), "1/2": (0.5, " ½"), "1": (1.0, "1")}  # staggered: 1/4, 1/3 are close


def plot_final_losses(ax, final_sse, label, color, alpha=0.6, bins=XOR_LOSS_BINS):
    """Histogram of final sums of squared errors on a log axis.

    Values below the first bin edge (1e-6) are counted in the first bin, which is hatched and
    labelled "≤ 1e-6" so that its bar is not read as a real value of 1e-6.
    """
    final_sse = np.asarray(final_sse, dtype=float)
    _, _, patches = ax.hist(np.clip(final_sse, bins[0], None), bins=bins, color=color, alpha=alpha, label=label)
    if np.any(final_sse < bins[1]):
        patches[0].set_hatch("///")
        patches[0].set_edgecolor("black")
    ax.set_xscale("log")
    ax.set_xlim(bins[0] / 1.5, bins[-1])
    ax.text(bins[0], -0.1, "≤1e-6\n(clipped)", transform=ax.get_xaxis_transform(), ha="center", va="top",
            fontsize=7, color="dimgrey")
    return ax


def mark_plateaus(ax, threshold=0.01):
    """The threshold as a dashed green line, the plateau values 1/4, 1/3, 1/2, 1 as dotted grey lines,
    named on a second x axis at the top (one short label per line, so they do not crowd)."""
    ax.axvline(threshold, color="tab:green", ls="--", lw=1.2, label=f"threshold {threshold}")
    for value, _ in _PLATEAU_TICKS.values():
        ax.axvline(value, color="grey", ls=":", lw=1)
    top = ax.secondary_xaxis("top")
    top.set_xticks([v for v, _ in _PLATEAU_TICKS.values()], [text for _, text in _PLATEAU_TICKS.values()])
    top.tick_params(labelsize=9, colors="dimgrey", length=3)
    top.xaxis.set_minor_locator(plt.NullLocator())
    top.set_xlabel("plateaus", fontsize=8, color="dimgrey", labelpad=1)
    return ax


def plot_reached_share(ax, iterations, label, color, iters, log=True, **style):
    """The share of runs that have reached the threshold by each iteration (a rising step curve)."""
    iterations = np.asarray(iterations, dtype=float)
    reached = np.sort(iterations[np.isfinite(iterations)])
    start = 1 if log else 0
    ax.step(np.concatenate([[start], np.maximum(reached, start), [iters]]),
            np.concatenate([[0], np.arange(1, reached.size + 1), [reached.size]]) / iterations.size,
            where="post", color=color, lw=style.pop("lw", 2), label=label, **style)
    ax.set(xscale="log" if log else "linear", xlim=(start, iters), ylim=(0, 1))
    return ax


def plot_share(ax, x, summaries, color="tab:blue", label=None):
    """Share of runs reaching the threshold (common.run_statistics.RunSummary), 95% interval as a band."""
    ax.plot(x, [s.share for s in summaries], "o-", color=color, label=label)
    ax.fill_between(x, [s.share_low for s in summaries], [s.share_high for s in summaries], color=color, alpha=0.2)
    return ax


def plot_median(ax, x, summaries, color="tab:blue"):
    """Median iterations of the runs that got there, quartiles as error bars, log axis."""
    ok = [i for i, s in enumerate(summaries) if s.n_reached]
    m = np.array([summaries[i].median for i in ok])
    lower = m - np.array([summaries[i].q25 for i in ok])
    upper = np.array([summaries[i].q75 for i in ok]) - m
    ax.errorbar(np.asarray(x)[ok], m, yerr=[lower, upper], fmt="o-", color=color, capsize=3)
    ax.set_yscale("log")
    return ax


def plot_outcome_bars(ax, x, labels_per_setting, width=0.8, colors=XOR_OUTCOME_COLORS):
    """Stacked bars: for each setting, the share of its runs with each end state (labels from
    common.xor_experiment.classify_outcomes), in the order of ``colors``."""
    bottom = np.zeros(len(labels_per_setting))
    for name, color in colors.items():
        shares = np.array([np.mean(np.asarray(labels) == name) for labels in labels_per_setting])
        ax.bar(x, shares, width, bottom=bottom, color=color, label=name)
        bottom += shares
    return ax


# --- Chapter 8: receptive fields --------------------------------------------------------------------

def draw_receptive_field(filter_size=3, layers=2, ax=None, title=None):
    """What one output unit of a stack of stride-1 convolutions sees; returns the Axes.

    Introduced in notebook 11, section 8.1.3.

    Grids from left to right: the input, the map after each of ``layers`` convolutions with
    ``filter_size`` x ``filter_size`` filters, and the output. Shaded: the one output unit in the middle
    and every unit it depends on, layer by layer; the lines join each shaded block to the window of the
    layer before it that the block reads. The input's shaded square is the receptive field (受容野),
    1 + layers * (filter_size - 1) pixels wide: 5 for two 3x3 layers, as for one 5x5.
    """
    from matplotlib.patches import Rectangle

    if isinstance(filter_size, bool) or not isinstance(filter_size, int) or filter_size < 1 \
            or isinstance(layers, bool) or not isinstance(layers, int) or layers < 1:
        raise ValueError(f"draw_receptive_field: filter_size and layers must be whole numbers >= 1, "
                         f"got {filter_size!r} and {layers!r}")
    step = filter_size - 1
    field = 1 + layers * step
    sizes = [field + 2 - k * step for k in range(layers + 1)]  # one unshaded ring around every shaded block
    if ax is None:
        _, ax = plt.subplots(figsize=(0.32 * (sum(sizes) + 2 * layers) + 0.5, 0.32 * sizes[0] + 0.9))
    colors = ["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb"]
    left, blocks = 0.0, []
    for k, n in enumerate(sizes):
        shaded = field - k * step
        lo = (n - shaded) // 2
        for i in range(n):
            for j in range(n):
                inside = lo <= i < lo + shaded and lo <= j < lo + shaded
                ax.add_patch(Rectangle((left + j, n / 2 - i - 1), 1, 1, lw=0.6, edgecolor="#555555",
                                       facecolor=colors[k % len(colors)] if inside else "white"))
        blocks.append((left + lo, left + lo + shaded, n / 2 - lo, n / 2 - lo - shaded))  # x0, x1, top, bottom
        name = "input" if k == 0 else ("output" if k == layers else f"after conv {k}")
        ax.text(left + n / 2, -sizes[0] / 2 - 0.4, f"{name}\n{shaded}x{shaded} shaded", ha="center", va="top",
                fontsize=9)
        left += n + 2
    for (x0, x1, top, bottom), (nx0, _, ntop, nbottom) in zip(blocks[:-1], blocks[1:]):
        ax.plot([x1, nx0], [top, ntop], color="#555555", lw=0.8)
        ax.plot([x1, nx0], [bottom, nbottom], color="#555555", lw=0.8)
    ax.set_xlim(-0.5, left - 1.5)
    ax.set_ylim(-sizes[0] / 2 - 1.6, sizes[0] / 2 + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or f"{layers} layer{'s' if layers > 1 else ''} of {filter_size}x{filter_size}: "
                          f"one output unit sees {field}x{field} input pixels", fontsize=10)
    return ax


# --- Chapter 7: convolution, im2col and image grids -------------------------------------------------

_WINDOW_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


def _number_grid(ax, values, left, top, fills=None, fontsize=12, number_format="{:g}"):
    """Draw a 2-D array as boxes with its numbers, top-left corner at (left, top); returns its right edge.

    fills: optional 2-D array (same shape) of face colours, None for white.
    """
    from matplotlib.patches import Rectangle

    rows, columns = values.shape
    for i in range(rows):
        for j in range(columns):
            fill = None if fills is None else fills[i][j]
            ax.add_patch(Rectangle((left + j, top - i - 1), 1, 1, facecolor=fill or "white",
                                   alpha=0.35 if fill else 1.0, edgecolor="#444444", lw=1))
            ax.text(left + j + 0.5, top - i - 0.5, number_format.format(values[i, j]), ha="center",
                    va="center", fontsize=fontsize)
    return left + columns


def draw_convolution(x, w, position=(0, 0), stride=1, pad=0, ax=None, title=None):
    """One step of a convolution (畳み込み演算) drawn on numbers: the window over the input, the filter,
    and the output cell they make, with the sum of products written out. Returns the Axes.

    Introduced in notebook 10, section 7.2.

    x: a 2-D input (H, W); w: a 2-D filter (FH, FW); position: (row, column) of the output cell to show.
    Padding cells (``pad`` zeros around x) are drawn grey.
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(f"draw_convolution expects a 2-D input and a 2-D filter, got shapes {x.shape} and {w.shape}")
    xp = np.pad(x, pad)
    fh, fw = w.shape
    out_h, out_w = (xp.shape[0] - fh) // stride + 1, (xp.shape[1] - fw) // stride + 1
    y0, x0 = position
    if not (0 <= y0 < out_h and 0 <= x0 < out_w):
        raise ValueError(f"draw_convolution: position {position} is outside the {out_h}x{out_w} output")
    out = np.array([[np.sum(xp[i * stride:i * stride + fh, j * stride:j * stride + fw] * w)
                     for j in range(out_w)] for i in range(out_h)])
    if ax is None:
        _, ax = plt.subplots(figsize=(0.62 * (xp.shape[1] + fw + out_w + 4), 0.62 * max(xp.shape[0], 3) + 1.6))
    top = xp.shape[0]
    fills = [[("#bbbbbb" if (pad and not (pad <= i < pad + x.shape[0] and pad <= j < pad + x.shape[1])) else None)
              for j in range(xp.shape[1])] for i in range(xp.shape[0])]
    for i in range(fh):
        for j in range(fw):
            fills[y0 * stride + i][x0 * stride + j] = "#1f77b4"
    right = _number_grid(ax, xp, 0, top, fills)
    ax.add_patch(Rectangle((x0 * stride, top - y0 * stride - fh), fw, fh, fill=False, edgecolor="#1f77b4", lw=3))
    ax.text(right + 0.5, top - xp.shape[0] / 2, "⊛", ha="center", va="center", fontsize=20)
    filter_top = top - (xp.shape[0] - fh) / 2
    right = _number_grid(ax, w, right + 1, filter_top, [["#ff7f0e"] * fw for _ in range(fh)])
    ax.text(right + 0.5, top - xp.shape[0] / 2, "=", ha="center", va="center", fontsize=20)
    out_fills = [[None] * out_w for _ in range(out_h)]
    out_fills[y0][x0] = "#2ca02c"
    out_top = top - (xp.shape[0] - out_h) / 2
    _number_grid(ax, out, right + 1, out_top, out_fills)
    window = xp[y0 * stride:y0 * stride + fh, x0 * stride:x0 * stride + fw]
    products = " + ".join(f"{a:g}·{b:g}" for a, b in zip(window.ravel(), w.ravel()))
    ax.text(0, -0.5, f"{products} = {out[y0, x0]:g}", ha="left", va="top", fontsize=10)
    ax.text(0, top + 0.2, "input" + (f" (padded by {pad})" if pad else ""), fontsize=10, va="bottom")
    ax.text(xp.shape[1] + 1, filter_top + 0.2, "filter", fontsize=10, va="bottom")
    ax.text(right + 1, out_top + 0.2, "output", fontsize=10, va="bottom")
    ax.set_xlim(-0.3, right + 1 + out_w + 0.3)
    ax.set_ylim(-1.5, top + 1)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def draw_im2col(x, filter_h, filter_w, stride=1, ax=None, title=None):
    """im2col as a picture: one small copy of a 2-D input per filter window, the window filled in its own
    colour, and the row of the unfolded matrix it becomes (row k = window k, counted left to right, top to
    bottom). Returns the Axes.

    Introduced in notebook 10, section 7.4. One channel, no padding; at most 9 windows (one colour each).
    """
    import numpy as np
    from matplotlib.patches import FancyArrowPatch

    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"draw_im2col expects a 2-D input, got shape {x.shape}")
    out_h, out_w = (x.shape[0] - filter_h) // stride + 1, (x.shape[1] - filter_w) // stride + 1
    if out_h < 1 or out_w < 1 or out_h * out_w > len(_WINDOW_COLORS):
        raise ValueError(f"draw_im2col: {out_h}x{out_w} windows; draw between 1 and {len(_WINDOW_COLORS)}")
    windows = [(i, j) for i in range(out_h) for j in range(out_w)]
    rows = np.array([x[i * stride:i * stride + filter_h, j * stride:j * stride + filter_w].ravel() for i, j in windows])
    gap = 1.2                                           # space between the small copies (room for a caption)
    left_width = out_w * x.shape[1] + (out_w - 1) * gap
    top = out_h * x.shape[0] + (out_h - 1) * gap
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * (left_width + rows.shape[1] + 11), 0.5 * top + 1.2))
    for k, (i, j) in enumerate(windows):
        fills = [[None] * x.shape[1] for _ in range(x.shape[0])]
        for a in range(filter_h):
            for b in range(filter_w):
                fills[i * stride + a][j * stride + b] = _WINDOW_COLORS[k]
        copy_left, copy_top = j * (x.shape[1] + gap), top - i * (x.shape[0] + gap)
        _number_grid(ax, x, copy_left, copy_top, fills, fontsize=10)
        ax.text(copy_left, copy_top + 0.1, f"window {k}", fontsize=9, va="bottom", color=_WINDOW_COLORS[k])
    left = left_width + 3
    matrix_top = top / 2 + len(rows) / 2
    _number_grid(ax, rows, left, matrix_top, [[_WINDOW_COLORS[k]] * rows.shape[1] for k in range(len(rows))],
                 fontsize=10)
    for k, (i, j) in enumerate(windows):
        ax.text(left + rows.shape[1] + 0.2, matrix_top - k - 0.5, f"row {k} = window {k}", va="center",
                fontsize=9, color=_WINDOW_COLORS[k])
    ax.add_patch(FancyArrowPatch((left_width + 0.4, top / 2), (left - 0.4, top / 2), arrowstyle="-|>",
                                 mutation_scale=18, color="#444444", lw=1.5))
    ax.text(left_width + 1.5, top / 2 + 0.3, "im2col", ha="center", va="bottom", fontsize=11)
    ax.text(left, matrix_top + 0.2, f"{len(rows)} rows (windows) × {rows.shape[1]} columns (pixels of a window)",
            fontsize=10, va="bottom")
    ax.set_xlim(-0.3, left + rows.shape[1] + 5)
    ax.set_ylim(-0.3, top + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def show_image_grid(images, columns=10, titles=None, suptitle=None, cmap="gray", size=1.0, same_scale=False):
    """Small images in a grid without axes (filters, feature maps, digits); returns the Figure.

    Introduced in notebook 10, section 7.6.

    images: a sequence of 2-D arrays. Each image gets its own grey scale (its smallest value black, its
    largest white) unless ``same_scale=True``, which puts all of them on one scale.
    """
    import numpy as np

    images = [np.asarray(image) for image in images]
    if not images or any(image.ndim != 2 for image in images):
        raise ValueError("show_image_grid expects a non-empty sequence of 2-D images")
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows + (0.5 if suptitle else 0.1)),
                             squeeze=False, layout="constrained")
    low = min(float(image.min()) for image in images) if same_scale else None
    high = max(float(image.max()) for image in images) if same_scale else None
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
            if titles is not None:
                ax.set_title(titles[k], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


# --- Notebook 02: the matrix product ----------------------------------------------------------------

MATRIX_INNER_COLOR, MATRIX_OUTER_COLOR = "#c0392b", "#1f5fa8"  # the shape rule: inner sizes, outer sizes


def draw_matrix_product(A, B, row=0, col=0, ax=None, title=None):
    """Draw A @ B = C as three grids of numbers and return the Axes.

    Introduced in notebook 02, section 3.3 (the drawing code used to fill a learner's cell).

    Row `row` of A, column `col` of B and the entry C[row, col] they make are shaded; below, that entry is
    written out as a sum, and the shape rule is spelled out with the inner sizes (which must agree) in
    red and the outer sizes (the shape of C) in blue.
    """
    import numpy as np
    from matplotlib.offsetbox import AnnotationBbox, HPacker, TextArea
    from matplotlib.patches import Rectangle

    A, B = np.asarray(A), np.asarray(B)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"draw_matrix_product expected two matrices whose inner sizes agree, got shapes "
                         f"{A.shape} and {B.shape}")
    if not (0 <= row < A.shape[0] and 0 <= col < B.shape[1]):
        raise ValueError(f"draw_matrix_product: row {row} / column {col} is outside the result's shape "
                         f"{(A.shape[0], B.shape[1])}")
    C = A @ B
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 5.4))
    top = max(A.shape[0], B.shape[0])
    bottom = top - max(A.shape[0], B.shape[0], C.shape[0])

    def grid(M, left, name, shade_row=None, shade_col=None, shade_cell=None):
        rows, cols = M.shape
        for i in range(rows):
            for j in range(cols):
                face = "white"
                if i == shade_row:
                    face = "#fde2c8"
                if j == shade_col:
                    face = "#dbe9f6"
                if (i, j) == shade_cell:
                    face = "#cdeec4"
                ax.add_patch(Rectangle((left + j, top - i - 1), 1, 1, fc=face, ec="black", lw=1.2))
                ax.text(left + j + 0.5, top - i - 0.5, f"{M[i, j]:g}", ha="center", va="center", fontsize=13)
        ax.text(left + cols / 2, top - rows - 0.25, f"{name}\nshape {M.shape}", ha="center", va="top", fontsize=12)
        return left + cols

    right_a = grid(A, 0, "A", shade_row=row)
    ax.text(right_a + 0.75, top / 2, "@", fontsize=22, ha="center", va="center")
    right_b = grid(B, right_a + 1.5, "B", shade_col=col)
    ax.text(right_b + 0.75, top / 2, "=", fontsize=22, ha="center", va="center")
    right = grid(C, right_b + 1.5, "C", shade_cell=(row, col))
    middle = right / 2

    number = lambda v: f"{v:g}" if v >= 0 else f"({v:g})"  # noqa: E731  (a negative factor in brackets)
    terms = " + ".join(f"{number(a)}·{number(b)}" for a, b in zip(A[row], B[:, col]))
    ax.text(middle, bottom - 1.5, f"C[{row}, {col}] = row {row} of A times column {col} of B = {terms} = {C[row, col]:g}",
            ha="center", fontsize=12, color="#2f7d1f")

    def colored_line(pieces, y, size):
        boxes = [TextArea(text, textprops=dict(color=color, fontsize=size,
                                               fontweight="normal" if color == "black" else "bold"))
                 for text, color in pieces]
        ax.add_artist(AnnotationBbox(HPacker(children=boxes, align="baseline", pad=0, sep=0), (middle, y),
                                     frameon=False))

    inner, outer = MATRIX_INNER_COLOR, MATRIX_OUTER_COLOR
    (n, k), (_, m) = A.shape, B.shape
    colored_line([("shapes:  (", "black"), (str(n), outer), (", ", "black"), (str(k), inner), (")  @  (", "black"),
                  (str(k), inner), (", ", "black"), (str(m), outer), (")  ->  (", "black"), (str(n), outer),
                  (", ", "black"), (str(m), outer), (")", "black")], bottom - 2.3, 14)
    colored_line([("inner sizes must agree", inner), ("      ", "black"),
                  ("outer sizes give the shape of the result", outer)], bottom - 2.95, 11.5)
    ax.set(xlim=(-0.5, right + 0.5), ylim=(bottom - 3.3, top + 0.3), aspect="equal",
           title=title or "The matrix product: each entry of C is one row of A times one column of B")
    ax.axis("off")
    return ax

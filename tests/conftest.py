"""Shared test set-up: unit tests draw figures off-screen.

Only this pytest process switches to the Agg backend; the notebook kernels that nbval starts keep
Jupyter's inline backend, so the stored figures in the notebooks are compared as they are shown.
"""

import matplotlib

matplotlib.use("Agg")

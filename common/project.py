"""Where the project lives, in one place: the Colab badges and the Colab set-up cell are made from it.

Introduced in notebook 01 (set-up).

Every notebook starts with an "Open in Colab" badge and a set-up cell that, on Google Colab only,
downloads this repository and puts ``common`` on the import path. Both need the repository's GitHub
address; it is written here and nowhere else. ``python tests/tools/execute_notebooks.py`` stamps the
badge and the set-up code into each notebook, and ``tests/test_notebook_template.py`` checks that
every notebook agrees with this file.
"""

GITHUB_REPOSITORY = "dlfs-study/dlfs-companion"  # owner/name on GitHub
BRANCH = "main"
CLONE_DIR = "dlfs-companion"  # folder name of the checkout on Colab

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def repository_url() -> str:
    """The address ``git clone`` uses."""
    return f"https://github.com/{GITHUB_REPOSITORY}.git"


def colab_url(notebook: str) -> str:
    """The link that opens ``notebooks/<notebook>`` straight from GitHub in Google Colab."""
    return f"https://colab.research.google.com/github/{GITHUB_REPOSITORY}/blob/{BRANCH}/notebooks/{notebook}"


def colab_badge(notebook: str) -> str:
    """The Markdown of the "Open in Colab" badge for one notebook."""
    return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(notebook)})"


def colab_setup_code() -> str:
    """The first lines of every notebook's set-up cell. They do nothing outside Colab.

    On Colab the project is cloned once (re-running the cell skips that) and put first on
    ``sys.path``, so ``import common`` works without restarting the runtime; Colab already has
    NumPy, Matplotlib and Pillow. MNIST is downloaded into the clone's ``data/`` when first needed.
    """
    return f'''\
# On Google Colab: fetch the project and make `common` importable. Elsewhere this does nothing,
# because `pip install -r requirements.txt` has installed `common` already.
import sys
if "google.colab" in sys.modules:
    import os, subprocess
    if not os.path.isdir("{CLONE_DIR}"):
        subprocess.run(["git", "clone", "--depth", "1", "--branch", "{BRANCH}",
                        "{repository_url()}", "{CLONE_DIR}"], check=True)
    if os.path.abspath("{CLONE_DIR}") not in sys.path:
        sys.path.insert(0, os.path.abspath("{CLONE_DIR}"))'''

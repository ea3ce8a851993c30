"""The notebook runs top to bottom, headless."""

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOK = ROOT / "python" / "examples" / "ceasefire.ipynb"


def test_notebook_runs_top_to_bottom(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 5  # run, fan chart, slider's figure and its two redraws, sweep
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "collapse probability" in text and "verdict:" in text
    nbformat.write(nb, tmp_path / "executed.ipynb")

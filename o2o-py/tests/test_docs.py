"""docs/python.md's notebook runs, cell after cell, as one plain script."""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def cells() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_notebook_has_cells():
    assert len(cells()) >= 5


def test_notebook_runs_as_a_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    pytest.importorskip("polars")
    pytest.importorskip("pandas")
    script = tmp_path / "notebook.py"
    script.write_text("\n\n".join(cells()), encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "refused: consent_missing" in out
    assert "identifiers erased" in out

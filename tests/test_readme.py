"""The README's "Python / notebook" section runs as written."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_notebook_section_runs_as_written():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python / notebook", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(blocks[0], "README.md", "exec"), {})
    output = printed.getvalue()
    assert "21 个小区 compounds; 0 行被拒 rows rejected" in output
    assert "optimal ['S01', 'S02', 'S05', 'S06', 'S07'] 495/500 万元，剩余 remaining 5" in output
    assert "no/such/folder: 不是目录 not a folder []" in output

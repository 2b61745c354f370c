"""The Python examples of the README's "Use the mock from your test suite" and of the wheel's
README, run as pytest tests (with `import pytest, requests` put before them)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(os.environ["COCART_REPO"])
SOURCES = {
    "README.md": lambda t: t.split("## Use the mock from your test suite")[1].split("\n## ")[0],
    "packaging/python/README.md": lambda t: t,
}


@pytest.mark.parametrize("file", SOURCES)
def test_the_python_example_runs(tmp_path, file):
    section = SOURCES[file]((REPO / file).read_text())
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(block.strip().splitlines()) == 5, "a five-line example"
    test_file = tmp_path / "test_readme_example.py"
    test_file.write_text("import pytest\nimport requests\n\n" + block)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout

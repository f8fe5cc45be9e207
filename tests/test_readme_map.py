"""The README's map of the code names every folder and top-level module of factdesk/, and only what exists."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "factdesk"


def _map_places() -> set[str]:
    """The paths in the first column of the README's "Map of the code" table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Map of the code", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {path for row in rows for path in re.findall(r"`([^`]+)`", row.split("|")[1])}


def _tree() -> set[str]:
    folders = {f"factdesk/{p.name}/" for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {f"factdesk/{p.name}" for p in PACKAGE.glob("*.py")}
    return folders | modules


def test_the_map_lists_every_folder_and_top_level_module_of_the_package():
    missing = sorted(_tree() - _map_places())
    assert not missing, f"add to README's map of the code: {missing}"


def test_every_place_on_the_map_exists():
    gone = sorted(place for place in _map_places() if not (ROOT / place).exists())
    assert not gone, f"the README's map of the code names what is not in the tree: {gone}"

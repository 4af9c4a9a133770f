"""Where the project's files are, for tests that read diagrams, docs or run commands."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BPMN = ROOT / "bpmn"
SCREENSHOTS = ROOT / "docs" / "screenshots"

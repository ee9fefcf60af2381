"""The layers of DESIGN.md §4: each package imports only the layers above it."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"

# layer -> modules it must not import
FORBIDDEN = {
    "bot.config": (
        "bot.models",
        "bot.services",
        "bot.ui",
        "bot.listeners",
        "bot.jobs",
        "slack_bolt",
        "slack_sdk",
    ),
    "bot.ids": (
        "bot.models",
        "bot.services",
        "bot.ui",
        "bot.listeners",
        "bot.jobs",
        "slack_bolt",
        "slack_sdk",
    ),
    "bot.models": ("bot.services", "bot.ui", "bot.listeners", "bot.jobs", "slack_bolt", "slack_sdk"),
    "bot.services": ("bot.ui", "bot.listeners", "bot.jobs", "bot.emulator", "slack_bolt", "slack_sdk"),
    "bot.ui": ("bot.listeners", "bot.jobs", "bot.emulator", "slack_bolt", "sqlalchemy"),
    # The emulator stands in for Slack: it knows nothing of the app.
    "bot.emulator": ("bot.models", "bot.services", "bot.ui", "bot.listeners", "bot.jobs", "slack_bolt"),
    "bot.listeners": ("bot.jobs", "bot.emulator"),
    "bot.jobs": ("bot.listeners", "bot.emulator"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_layers_import_only_upwards():
    violations = []
    for path in BOT.rglob("*.py"):
        module = _module_name(path)
        for layer, forbidden in FORBIDDEN.items():
            if module == layer or module.startswith(layer + "."):
                for imported in _imports(path):
                    if any(imported == f or imported.startswith(f + ".") for f in forbidden):
                        violations.append(f"{module} imports {imported}")
    assert violations == []


def test_the_layer_check_sees_the_whole_package():
    modules = {_module_name(p) for p in BOT.rglob("*.py")}
    assert {"bot.services.profiles", "bot.ui.profile_modal", "bot.listeners.commands"} <= modules

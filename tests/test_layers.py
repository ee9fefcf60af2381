"""The layers of DESIGN.md §4 are checked by import-linter (contracts in pyproject.toml, run by
scripts/test). This test shows the contracts catch what a hand-made check once missed: relative
imports, `from bot import x`, and imports of modules it had no rule for."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_contracts_catch_relative_package_and_indirect_imports(tmp_path):
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    broken = {
        # a service reaching the listeners through a relative import
        "bot/services/profiles.py": "from ..listeners import commands\n",
        # a model importing the jobs as `from bot import …`
        "bot/models/profile.py": "from bot import jobs\n",
        # the ui holding a database session
        "bot/ui/help.py": "from bot.db import make_session_factory\n",
        # the worker's path reaching the emulator through a helper module
        "bot/jobs/clock.py": "import bot.sandbox.clock\n",
    }
    for path, line in broken.items():
        with (tmp_path / path).open("a") as module:
            module.write(line)
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    for contract in (
        "Services never import Slack, Bolt, listeners, jobs, sessions or the web layer BROKEN",
        "Models import only SQLAlchemy and ids BROKEN",
        "UI never imports Bolt, the database, listeners, jobs or the web layer BROKEN",
        "The emulator and the sandbox are never on the app's runtime path BROKEN",
    ):
        assert contract in result.stdout
    for route in (
        "bot.services.profiles -> bot.listeners.commands",
        "bot.models.profile -> bot.jobs",
        "bot.ui.help -> bot.db",
        "bot.jobs.clock -> bot.sandbox.clock",
    ):
        assert route in result.stdout

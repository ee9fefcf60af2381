"""`python -m bot.sandbox [--port N] [--db PATH]`: the sandbox, as `python app.py --sandbox`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .launch import sandbox_port
from .runner import run_sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=sandbox_port(), help="the page's port (default: PORT or 3000)"
    )
    parser.add_argument("--db", type=Path, default=Path("sandbox.db"), help="its SQLite file, made afresh")
    args = parser.parse_args(argv)
    return run_sandbox(
        reason="Peer Mentor sandbox: the real app beside a local Slack emulator.",
        port=args.port,
        db_path=args.db,
    )


if __name__ == "__main__":
    sys.exit(main())

"""The ``workbench`` command: the window when asked for, the admin commands otherwise.

Kept free of Qt imports so the admin commands work on a machine without a display or
Qt's libraries; the window's modules are imported only when a window is wanted.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from workbench import cli


def start_gui(args: argparse.Namespace) -> int:
    from ui import app

    if getattr(args, "command", None) == "demo":
        return app.open_demo(args.cases)
    return app.open_window(getattr(args, "data_dir", None))


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, gui=start_gui)

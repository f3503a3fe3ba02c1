"""Entry point: ``curator`` opens the window; ``curator COMMAND`` runs the headless CLI."""

from __future__ import annotations

import os
import sys


def display_available() -> bool:
    """False on a headless Linux box (no X11/Wayland and no offscreen platform requested)."""
    if sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    from curator import cli

    args = cli.build_parser().parse_args(argv)
    if args.command:
        return cli.run(args)
    if args.self_test:
        from curator.selftest import run_self_test

        return run_self_test()
    if not display_available():
        if args.demo:
            print("No display found: showing the demo through the command line instead.\n", file=sys.stderr)
            return cli.run_demo_listing()
        print("No display found. Use a command (see 'curator --help'), e.g. 'curator libraries'.",
              file=sys.stderr)
        return 2
    from curator.ui.main import run_gui

    return run_gui(demo=args.demo, server=args.server)


def main_gui() -> int:
    return main()


if __name__ == "__main__":
    sys.exit(main())

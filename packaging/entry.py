"""The bundle's entry point: the same launcher as the installed ``workbench`` command."""

import sys

from ui.launcher import main

if __name__ == "__main__":
    sys.exit(main())

"""The bundle's entry point: the same launcher as the installed ``workbench`` command."""

import multiprocessing
import sys

from ui.launcher import main

if __name__ == "__main__":
    # A large sync opens records in a helper process; in the bundle that process starts
    # through this same program, which must hand it over at once.
    multiprocessing.freeze_support()
    sys.exit(main())

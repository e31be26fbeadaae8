"""Housing Advice Workbench: the core, free of any GUI toolkit.

Everything a user can do is a service call in this package; the Qt front end in
``ui/`` and the ``workbench`` command line both sit on top of it.
"""

from importlib import metadata

try:
    __version__ = metadata.version("housing-advice-workbench")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

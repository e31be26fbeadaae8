"""The one sync error the window must recognise without loading the server's client
(psycopg): the server is not there."""

from __future__ import annotations

from workbench.errors import WorkbenchError
from workbench.i18n import N_


class ServerUnreachable(WorkbenchError):
    """The network or the server is not there; nothing was lost, try again later."""

    exit_code = 5
    template = N_("The team server cannot be reached; nothing was lost. This laptop keeps "
                  "working and sends its changes at the next sync.")

    def __init__(self, detail: str = "") -> None:
        super().__init__()
        self.detail = detail  # libpq's words, for the log only

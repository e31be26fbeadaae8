"""An error raised in a helper process (the window's sync) reaches the window with its
template and values, and is said in the language of the person who reads it."""

from __future__ import annotations

import pickle

from workbench.errors import StoreExists, UnknownUser
from workbench.i18n import set_language
from workbench.sync.client import ServerUnreachable


def test_an_error_that_crossed_processes_is_said_in_finnish():
    error = pickle.loads(pickle.dumps(UnknownUser(user="ville")))
    set_language("fi")
    try:
        said = error.message()
    finally:
        set_language("en")
    assert "ville" in said and "There is no user" not in said
    assert isinstance(error, UnknownUser) and error.values == {"user": "ville"}


def test_what_only_the_log_needs_crosses_too():
    error = pickle.loads(pickle.dumps(ServerUnreachable("connection refused")))
    assert error.detail == "connection refused"
    assert str(error) == str(ServerUnreachable())
    assert str(pickle.loads(pickle.dumps(StoreExists(path="/x")))) == str(StoreExists(path="/x"))

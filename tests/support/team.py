"""Laptops of one team on a real PostgreSQL: the first sets up the server, the others are
invited, join and are approved, as people do it."""

from __future__ import annotations

from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.conftest import FAST_KDF, PASSPHRASE, make_store
from workbench.session import Session, StoreLocation
from workbench.sync import state, team
from workbench.sync.engine import sync


def make_team(tmp_path: Path, owner_dsn: str, others: tuple[str, ...] = ("visit",),
              role: str = "advisor") -> list[Session]:
    desk = make_store(StoreLocation(tmp_path / "desk"))
    team.init_server(desk, owner_dsn, "desk")
    laptops = [desk]
    for name in others:
        invitation = tmp_path / f"{name}.invitation"
        team.invite(desk, name, f"user-{name}", role, invitation)
        session, _key, fingerprint = team.join(StoreLocation(tmp_path / name), invitation,
                                               f"user-{name}", PASSPHRASE, kdf=FAST_KDF)
        team.approve(desk, fingerprint)
        laptops.append(session)
    return laptops


def roundtrip(*sessions: Session) -> None:
    """Everybody syncs twice: afterwards every laptop has everything."""
    for session in (*sessions, *sessions):
        sync(session)


def route(session: Session, host: str, port: int) -> None:
    """Point the laptop at another address (a fault proxy in front of the server)."""
    db = session.db
    params = conninfo_to_dict(state.config(db)["conninfo"])
    params.update(host=host, port=port)
    with db.transaction():
        state.put(db, "conninfo", make_conninfo(**params))


def close(sessions: list[Session]) -> None:
    for session in sessions:
        if not session.locked:
            session.lock()

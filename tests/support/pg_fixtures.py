"""Pytest fixtures for a real PostgreSQL server: one cluster per session, one database per test.

Registered in tests/conftest.py. Without the server binaries the fixtures fail (never skip)
with a message saying to install Debian's ``postgresql``.

Usage::

    def test_something(pg_database):
        with psycopg.connect(pg_database.owner_dsn) as conn:  # superuser, fresh database
            ...
        pg_database.cluster.restart("immediate")  # the session's Cluster, for fault tests
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from tests.support.postgres import LOCALHOST, Cluster, PostgresMissing


@dataclass(frozen=True)
class PgDatabase:
    """A fresh database; ``owner_dsn`` connects as the superuser over TCP (trusted)."""

    name: str
    cluster: Cluster
    owner_dsn: str


class _Databases:
    """Fresh databases, the next one made in the background while a test runs.

    CREATE DATABASE takes about a quarter of a second, most of a short test's time. If the
    spare could not be made (the cluster was stopped meanwhile), one is made on the spot.
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="pg-spare-db")
        self._spare: Future[str] | None = None

    def take(self) -> str:
        name = None
        if self._spare is not None:
            with contextlib.suppress(Exception):
                name = self._spare.result(timeout=120)
        if name is None:
            name = self.cluster.create_database()
        self._spare = self._executor.submit(self.cluster.create_database)
        return name

    def close(self) -> None:
        self._executor.shutdown(wait=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    missing = None
    try:
        cluster = Cluster()
    except PostgresMissing as error:
        missing = str(error)
    if missing:  # fail, never skip: CI must not pass without the server tests
        pytest.fail(missing, pytrace=False)
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def _pg_databases(pg_cluster: Cluster) -> Iterator[_Databases]:
    databases = _Databases(pg_cluster)
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture
def pg_database(pg_cluster: Cluster, _pg_databases: _Databases) -> Iterator[PgDatabase]:
    if not pg_cluster.running:  # a test stopped it and failed before starting it again
        pg_cluster.start()
    name = _pg_databases.take()
    try:
        yield PgDatabase(name=name, cluster=pg_cluster,
                         owner_dsn=pg_cluster.conninfo(name, host=LOCALHOST))
    finally:
        if not pg_cluster.running:
            pg_cluster.start()
        pg_cluster.drop_database(name)

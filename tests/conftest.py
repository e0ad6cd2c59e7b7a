"""Shared fixtures: a database built from the hand-made fixture folder (tests/fixture)
before any app code runs, and one built from the shipped sample for the tests that need
realistic data."""

import os
import shutil
from pathlib import Path

import pytest

from tuoyu import auth, db, paths
from tuoyu.loading.build import build_database

FIXTURE = Path(__file__).parent / "fixture"

# Pin "today" so that period checks and overdue tasks do not drift with the calendar.
os.environ.setdefault("TUOYU_TODAY", "2026-11-23")
# The fixture is not the sample, so a real deployment would ask for sign-in; tests about
# pages read openly, and the sign-in tests switch it on themselves.
os.environ.setdefault("TUOYU_REQUIRE_SIGNIN", "0")


@pytest.fixture(autouse=True)
def fresh_sign_in_backoff():
    """The sign-in back-off lives in the process's memory: each test starts without the
    failures of the tests before it."""
    auth.BY_NAME.clear()
    auth.BY_CLIENT.clear()


@pytest.fixture(scope="session")
def fixture_db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fixture") / "fixture.duckdb"
    build_database(path, [FIXTURE])
    return path


def _connection(path: Path):
    connection = db.connect(path)
    yield connection
    connection.close()


def _copy(path: Path, tmp_path: Path, name: str) -> Path:
    copy = tmp_path / name
    shutil.copyfile(path, copy)
    return copy


@pytest.fixture
def con(fixture_db_path):
    yield from _connection(fixture_db_path)


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    build_database(path, [paths.BASE_DATA, paths.SAMPLE_DATA])
    return path


@pytest.fixture
def sample_con(sample_db_path):
    yield from _connection(sample_db_path)


# Tests that write work on their own copy of a built database (a file copy: seconds faster
# than building again).

@pytest.fixture
def db_copy(fixture_db_path, tmp_path) -> Path:
    return _copy(fixture_db_path, tmp_path, "copy.duckdb")


@pytest.fixture
def wcon(db_copy):
    yield from _connection(db_copy)


@pytest.fixture
def sample_copy_path(sample_db_path, tmp_path) -> Path:
    return _copy(sample_db_path, tmp_path, "sample-copy.duckdb")


@pytest.fixture
def sample_copy(sample_copy_path):
    yield from _connection(sample_copy_path)

"""Shared fixtures: a database built from the hand-made fixture folder (tests/fixture)
before any app code runs, and one built from the shipped sample for the tests that need
realistic data."""

import os
from pathlib import Path

import pytest

from tuoyu import db
from tuoyu.ingest import build_database

FIXTURE = Path(__file__).parent / "fixture"

# Pin "today" so that period checks and overdue tasks do not drift with the calendar.
os.environ.setdefault("TUOYU_TODAY", "2026-11-23")
# The fixture is not the sample, so a real deployment would ask for sign-in; tests about
# pages read openly, and the sign-in tests switch it on themselves.
os.environ.setdefault("TUOYU_REQUIRE_SIGNIN", "0")


@pytest.fixture(scope="session")
def fixture_db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fixture") / "fixture.duckdb"
    build_database(path, [FIXTURE])
    return path


@pytest.fixture
def con(fixture_db_path):
    connection = db.connect(fixture_db_path)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    build_database(path, [db.BASE_DATA, db.SAMPLE_DATA])
    return path


@pytest.fixture
def sample_con(sample_db_path):
    connection = db.connect(sample_db_path)
    yield connection
    connection.close()

"""The suite's root. Tests run against the database the environment names (SQLite or PostgreSQL).

Test data comes from tests/factories.py; tests/fixtures.py holds the fixtures every Django test may use.
pytest-django has set Django up before this file is read. Without it (`-p no:django`, which the
pure-Python linkage and synthetic-town tests allow) those fixtures are not loaded at all.
"""

from django.apps import apps

pytest_plugins = ["tests.fixtures"] if apps.ready else []

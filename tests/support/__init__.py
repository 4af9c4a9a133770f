"""Shared test setup: fixtures registered as pytest plugins by tests/conftest.py (the app and
its database, the test world, the API client, the frozen Monday of the appointment tests), and
plain helpers with no side effects that tests import (drive a case, sign in, build files)."""

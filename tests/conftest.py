"""The suite's shared setup lives in tests/support/ as pytest plugins (fixtures, no hidden
effects); helper functions are imported from there by the tests that use them."""

pytest_plugins = (
    "tests.support.db",
    "tests.support.world",
    "tests.support.api",
    "tests.support.appointments",
    "tests.support.imports",
)

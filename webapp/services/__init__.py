"""Use cases, one transaction each (the caller commits once: uow.command), grouped by capability.

Capability packages, each owning its part of the job (its `__init__` says what): `cases`,
`residents`, `stations`, `production`, `supervision`, `messaging`, `accounts`. They import each
other downwards only, never in a circle (import-linter, `make lint`); what reacts to a command
of another capability registers itself in `hooks` at start-up. Shared by all: `errors`, `uow`
(the transaction), `clock`, `access` (who may see and do what), `scope` (the unit-subtree filter),
`paging` (filters and pages of a list), `text`, `name_search`, `exports` (CSV and XLSX) and
`workflow_store` (the engine and the stored spec versions). Above them, `worker` (the background
work) and `demo` (the demo data) use any of them. docs/architecture.md has the picture.
"""

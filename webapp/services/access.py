"""The one place that decides who may see and do what, in which units.

A user sees work of their department in their unit's subtree. Something outside that scope is
"not found" (its existence is not revealed); an action their role may not take on something they
can see is "forbidden".
"""

from dataclasses import dataclass

from ..models import Case, CaseTask, Unit, User
from . import scope

ROLES = ("police", "police_lead", "justice", "approval", "production", "supervisor", "admin")
# The BPMN lane each role works in.
DEPARTMENT = {
    "police": "police",
    "police_lead": "police",
    "justice": "justice",
    "approval": "approval",
    "production": "production",
    "supervisor": "supervision",
    "admin": "administration",
}
CASE_STARTERS = {"police", "police_lead", "admin"}
RESIDENT_EDITORS = {"police", "police_lead", "admin"}
ASSIGNERS = {"police_lead", "supervisor", "admin"}
TRANSFERRERS = {"police", "police_lead", "supervisor", "admin"}
PRODUCTION = {"production", "admin"}
# The card production centre reads cases of the whole country; nobody else does (an administrator
# manages accounts of a subtree and is not a national case reader).
NATIONAL_READERS = {"production"}
IMPORTERS = {"police_lead", "admin"}
LISTERS = {"police", "police_lead", "admin"}  # door-to-door listing, bookings, check-in
STATION_MANAGERS = {"police_lead", "admin"}
COVERAGE_READERS = {"police", "police_lead", "supervisor", "admin"}


def in_scope(user: User, unit_path: str) -> bool:
    """The unit-subtree rule in Python (scope.subtree is the same rule in SQL)."""
    return scope.covers(user.unit.path, unit_path)


def can_see_case(user: User, case: Case) -> bool:
    """Every role sees the cases of its unit's subtree; the production centre works nationally."""
    if not user.active:
        return False
    if user.role in NATIONAL_READERS:
        return True
    return in_scope(user, case.unit_path)


def can_work_task(user: User, task: CaseTask) -> bool:
    return user.active and task.department == user.department and in_scope(user, task.unit_path)


def can_start_case(user: User, unit: Unit) -> bool:
    return user.active and user.role in CASE_STARTERS and in_scope(user, unit.path)


def can_assign(user: User) -> bool:
    return user.role in ASSIGNERS


def can_transfer(user: User) -> bool:
    return user.role in TRANSFERRERS


def can_deliver_cards(user: User) -> bool:
    return user.active and user.role in PRODUCTION


def can_edit_residents(user: User) -> bool:
    return user.active and user.role in RESIDENT_EDITORS


def can_import_residents(user: User) -> bool:
    return user.active and user.role in IMPORTERS


def can_list_residents(user: User) -> bool:
    """Door-to-door listing, booking appointments and checking people in."""
    return user.active and user.role in LISTERS


def can_manage_stations(user: User) -> bool:
    return user.active and user.role in STATION_MANAGERS


def can_see_coverage(user: User) -> bool:
    return user.active and user.role in COVERAGE_READERS


OUTBOX_READERS = {"supervisor", "admin"}


def can_see_outbox(user: User) -> bool:
    """The notification and hand-off queue (a supervisor: messages about cases in scope)."""
    return user.active and user.role in OUTBOX_READERS


# Supervision (stuck cases). A police lead watches its own unit's subtree too: it may reassign
# police work, escalate and comment there, but only supervisors and administrators rewind a
# case's workflow (retry a failed step, move it back) or change the step targets.
STUCK_WATCHERS = {"police_lead", "supervisor", "admin"}
REWINDERS = {"supervisor", "admin"}


def can_supervise_cases(user: User) -> bool:
    """See the stuck-cases list of the unit subtree; reassign, escalate and comment from it."""
    return user.active and user.role in STUCK_WATCHERS


def can_rewind_cases(user: User) -> bool:
    """Retry a failed step, or move a case back to a step it has passed."""
    return user.active and user.role in REWINDERS


def can_reassign_task(user: User, task: CaseTask, colleague: User | None = None) -> bool:
    """Who hands a task to whom (a lead's assignment, a supervisor's reassignment): supervisors
    and administrators any department's work in their subtree, a lead only its own department's;
    and only to an active officer who can work the task and sits inside the assigner's subtree."""
    if not (user.active and user.role in ASSIGNERS and in_scope(user, task.unit_path)):
        return False
    if user.role not in REWINDERS and task.department != user.department:
        return False
    if colleague is None:
        return True
    return can_work_task(colleague, task) and in_scope(user, colleague.unit.path)


def can_set_targets(user: User) -> bool:
    return user.active and user.role in REWINDERS


# Production and delivery batches (services/production/batches.py): leads send their unit's approved cases
# to the centre; officers of the unit receive the cards back (completing `receive_card`).
DISPATCHERS = {"police_lead", "admin"}
RECEIVERS = {"police", "police_lead"}
BATCH_READERS = {"police", "police_lead", "production", "supervisor", "admin"}


def can_dispatch_batches(user: User, unit: Unit) -> bool:
    return user.active and user.role in DISPATCHERS and in_scope(user, unit.path)


def can_receive_batches(user: User, unit: Unit) -> bool:
    return user.active and user.role in RECEIVERS and in_scope(user, unit.path)


PROGRESS_READERS = {"police_lead", "supervisor", "admin"}
# Who read or exported personal data (services/accounts/access_log.py), in their subtree.
ACCESS_LOG_READERS = {"supervisor", "admin"}
QUOTA_SETTERS = {"supervisor", "admin"}


def can_see_progress(user: User) -> bool:
    """Progress against quotas, throughput, backlog and the daily report, in the user's subtree."""
    return user.active and user.role in PROGRESS_READERS


def can_set_quota(user: User) -> bool:
    return user.active and user.role in QUOTA_SETTERS


# The police desk's corrections of population records (services/residents/corrections.py) and the
# decision on a personal ID that disagrees with the record (services/cases/id_decision.py).
CORRECTORS = {"police", "police_lead"}
CONFIRMERS = {"police_lead"}


def can_correct_residents(user: User) -> bool:
    return user.active and user.role in CORRECTORS


def can_confirm_corrections(user: User) -> bool:
    """Confirm a correction that alters identity (never one's own), decide on an ID to re-establish."""
    return user.active and user.role in CONFIRMERS


# --- what each route declares ------------------------------------------------------------------
# Every route names one Rule (views: `web.allow(rule)`, API: `api.support.allow(rule)`); the gate
# answers 401/login for a signed-out visitor and 403 for a role outside `roles` before the view
# runs. Scope (which unit's data) is decided after, on the object, with `in_scope` (404).
# tests/test_route_permissions.py fails on any route without a rule and builds the role x route
# matrix from these declarations.


@dataclass(frozen=True)
class Rule:
    name: str
    roles: frozenset[str]
    public: bool = False  # no sign-in at all: health, static files, sign-in, the API document
    national: frozenset[str] = frozenset()  # roles that act outside their own subtree here

    def admits(self, user) -> bool:
        """The route's gate: anyone for a public rule; else an active user of one of the roles."""
        if self.public:
            return True
        return bool(user is not None and user.is_authenticated and user.active and user.role in self.roles)


def rule(name: str, roles, national=()) -> Rule:
    unknown = (set(roles) | set(national)) - set(ROLES)
    assert not unknown, f"rule {name}: unknown roles {unknown}"
    return Rule(name, frozenset(roles), national=frozenset(national))


# Roles whose department owns user tasks in the diagrams (production works through the API).
TASK_WORKERS = {"police", "police_lead", "justice", "approval"}

PUBLIC = Rule("public", frozenset(), public=True)
SIGNED_IN = rule("signed_in", ROLES)  # pages every officer has: inbox, case pages, sign-out
READ_CASES = rule(
    "read_cases", ROLES, national=NATIONAL_READERS
)  # what they show is still filtered by the unit subtree
READ_RESIDENTS = rule("read_residents", ROLES)
WORK_TASKS = rule("work_tasks", TASK_WORKERS)
ASSIGN_TASKS = rule("assign_tasks", ASSIGNERS)
START_CASES = rule("start_cases", CASE_STARTERS)
TRANSFER_CASES = rule("transfer_cases", TRANSFERRERS)
EDIT_RESIDENTS = rule("edit_residents", RESIDENT_EDITORS)
IMPORT_RESIDENTS = rule("import_residents", IMPORTERS)
LIST_RESIDENTS = rule("list_residents", LISTERS)
SEE_COVERAGE = rule("see_coverage", COVERAGE_READERS)
MANAGE_STATIONS = rule("manage_stations", STATION_MANAGERS)
# Requests between units (services/cooperation): the officers who list and take applications.
COOPERATE = rule("cooperate", LISTERS)
# VNeID level 2 for chip-card holders (services/vneid): the same officers, at the desk.
VNEID = rule("vneid", LISTERS)
READ_OUTBOX = rule("read_outbox", OUTBOX_READERS)
SUPERVISE = rule("supervise", STUCK_WATCHERS)
REWIND = rule("rewind", REWINDERS)
READ_BATCHES = rule("read_batches", BATCH_READERS, national=NATIONAL_READERS)
DISPATCH = rule("dispatch", DISPATCHERS)
RECEIVE = rule("receive", RECEIVERS)
PRODUCE = rule("produce", PRODUCTION, national=NATIONAL_READERS)
SEE_PROGRESS = rule("see_progress", PROGRESS_READERS)
SET_QUOTA = rule("set_quota", QUOTA_SETTERS)
ADMINISTER = rule("administer", {"admin"})
READ_ACCESS_LOG = rule("read_access_log", ACCESS_LOG_READERS)
# The police desk: correct a population record; confirm an identity change, decide on a personal ID.
CORRECT_RESIDENTS = rule("correct_residents", CORRECTORS)
CONFIRM_CORRECTIONS = rule("confirm_corrections", CONFIRMERS)


# --- accounts ------------------------------------------------------------------------------------
# An administrator manages the accounts of their own unit's subtree, and nothing above or beside
# it. They give any role there, but make another administrator only in a unit strictly below
# their own (never a peer or one above them), and never change their own role or unit.


def can_manage_user(admin: User, target: User) -> bool:
    if not (admin.active and admin.role == "admin" and in_scope(admin, target.unit.path)):
        return False
    if target.id == admin.id:
        return True  # their own name and password; role, unit and status are refused by rule
    return target.role != "admin" or target.unit.path != admin.unit.path


def can_grant(admin: User, role: str, unit: Unit) -> bool:
    """May `admin` give `role` to an account in `unit`?"""
    if not (admin.active and admin.role == "admin" and role in ROLES and in_scope(admin, unit.path)):
        return False
    return role != "admin" or unit.path != admin.unit.path

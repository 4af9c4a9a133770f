"""Cases: an applicant's path from intake to hand-over, one command at a time.

Owns the command path every case command shares (`engine`: lock the case, run the workflow,
store its state, rewrite the task projection, append the audit trail, in one transaction), the
case commands (`commands`: start, transfer, withdraw, the card-produced message, timers), the task
commands (`tasks`: claim, release, assign, complete), what each step asks for (`step_fields`),
the buttons that finish a step and what the workflow keeps of it (`step_outcomes`), the inbox
(`inbox`), intake's comparison of the papers with the registry (`intake`), portraits
(`portraits`), comments and the case's timeline (`comments`), the case as JSON (`case_view`) and
the case search (`search`).
"""

"""VNeID level 2 for people who already hold a chip card: a short request, no new card, with its
own three steps at the police (identity checked against the card, the phone number, the
activation), in the unit's inbox with a due date and counted on its own line of the progress.

Why not a case of the BPMN engine: workflows/bundle.py parses one executable process
(MAIN_PROCESS, "cccd_issuance") and every stored state is restored against it, and a case is a
card application everywhere it is counted (its statuses, the progress stages, coverage's
"applied", the one-open-case rule, the statutory due date). Three linear steps without a
hand-off between departments are a small state machine (`requests.NEXT`) instead.
"""

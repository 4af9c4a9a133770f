"""Cooperation between units: one unit asks another ("đề nghị phối hợp") to take a resident's
application where they live now, to verify something or to hand a card over, and a case is
transferred only when the receiving unit accepts it.

Owns the requests (`requests`: send, answer, cancel, the receiving unit's queue and the sender's
list, the listing's one-step "away, ask the police there"), transfers as requests (`transfers`)
and the due date of each (bpmn/cooperation_due.dmn). The scope rule it adds, "the receiving
unit sees the resident while a request is open, and only then", is read by
services/residents/registry.visible.
"""

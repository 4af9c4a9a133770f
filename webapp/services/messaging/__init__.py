"""Messaging: what leaves the system, reliably.

Owns the outbox (`outbox`: messages written in the transaction that caused them, sent by the
worker with back-off, failed ones listed and sent again), the channel adapters behind one
interface (`notifiers`: log, file, e-mail, SMS), the notices escalations and reminders send to
officers (`alerts`), and the hand-off of civil-status corrections to the population database
(`population_sync`).
"""

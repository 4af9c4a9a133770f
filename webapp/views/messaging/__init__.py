"""Pages of messaging: the outbox of notifications and hand-offs, sent again when they failed
(`outbox`)."""

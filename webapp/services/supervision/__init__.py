"""Supervision: progress against quotas, the cases that are stuck, and what supervisors do.

Owns the progress pages' figures (`progress` puts a page together from `progress_figures`, per
unit against its quota, `progress_flow`, throughput, forecast and backlog, and `progress_chart`),
the daily counts per stage that every case command adds to (`stage_counts`), coverage of the
residents who must apply (`coverage`), the stuck-cases list (`stuck`, its SQL in `stuck_query`,
its rows in `stuck_rows`, working days turned into cutoff moments in `cutoffs`), the per-step
targets (`targets`) and the supervisors' actions on a case (`actions`: reassign, escalate,
comment, retry, move back).
"""

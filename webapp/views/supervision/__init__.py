"""Pages of supervision: progress against quotas and the daily report (`progress`), the stuck
cases with the supervisors' actions and the step targets (`stuck`)."""

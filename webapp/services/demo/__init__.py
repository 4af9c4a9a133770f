"""Demo data for `make run` (`flask seed-demo`): one real province with its officers, residents,
stations and cases spread over every step (`seed`), and three weeks of supervision history,
targets and production batches (`supervision`). Built through the services, like real work."""

"""Demo data for `make run` (`flask seed-demo`): one real province with its officers, residents
and stations, and the order everything is made in (`seed`); each case walked along an officer's
path to some step, through the justice office or a re-registration for some (`cases`); three
weeks of supervision history, targets and production batches (`supervision`); VNeID level 2
requests at every step (`vneid`). Built through the services, like real work."""

"""Pages of residents: the door-to-door listing and coverage (`listing`), resident file imports
(`imports`)."""

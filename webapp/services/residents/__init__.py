"""Residents: the population registry mirror and the door-to-door work on it.

Owns the resident record and its rules (`registry` for one record at a time, `rows` for the
checks the API and the file import share, `personal_id` for the 12-digit number), importing
resident files (`files` reads them, `import_jobs` runs a job, `import_batches` and `upsert`
write it in batches), who must apply under the law's decision table (`eligibility`), and the
door-to-door listing of each commune (`listing`).
"""

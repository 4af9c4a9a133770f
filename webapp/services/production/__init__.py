"""Production: cards made at the national centre and brought back to the units.

Owns the dispatch batches that send a unit's approved cases to the centre and the centre's
cards recorded against them (`batches`), and the delivery side: each card joining its unit's
parcel of the day and a parcel received in bulk, one case at a time (`delivery`).
"""

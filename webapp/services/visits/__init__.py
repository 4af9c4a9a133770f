"""Home visits: households' address and phone, and a team's visit plans for residents who cannot
come to a station (elderly, sick), with the route list by hamlet and each visit's result
("application taken" starts the case with the intake done at home).

Owns `households` (address and phone of a household) and `plans` (plan, route list, results).
"""

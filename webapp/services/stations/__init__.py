"""Stations: where residents are received, and when.

Owns the reception stations (fixed offices, schools, hospitals, factories, mobile teams) with
their weekly shifts (`setup`), the bookable slots those shifts give each day (`slots`), who can
be booked with their household (`households`), appointments booked, moved and cancelled without
ever overbooking (`appointments`), checking people in, walk-ins and no-shows, which start their
cases (`checkin`), and a station's day with its printable slips (`day`).
"""

"""Pages of stations: the stations, their shifts and a station's day with check-in and walk-ins
(`stations`), booking, slips, rescheduling and cancelling appointments (`bookings`)."""

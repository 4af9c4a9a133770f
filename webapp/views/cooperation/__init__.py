"""Cooperation between units: requests, their answers, transfers as requests."""

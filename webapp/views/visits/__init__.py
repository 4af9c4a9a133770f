"""Home visits: plans, route lists, results; households' address and phone."""

"""VNeID level 2 for people who already hold a chip card: start, the three steps, the list."""

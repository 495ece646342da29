"""The seeded exercise library and pain-education cards, as data (see catalog.py)."""

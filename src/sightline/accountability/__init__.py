"""Accountability: recommendations against target dates, live indicators, resources, engagement."""

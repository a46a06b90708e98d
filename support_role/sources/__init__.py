"""Translations from each scanner's data shapes into the core's facts (plain Python over dicts)."""

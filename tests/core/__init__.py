"""Tests of the core (base environment): rules, policies, configuration, sources, fuzzing, doctor."""

"""Tests of the Prowler checks with the real Prowler and moto (its own environment)."""

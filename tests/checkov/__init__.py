"""Tests of the Checkov checks with the real Checkov (its own environment)."""

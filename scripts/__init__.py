"""The repository's scripts (the demo and its report); importable by the tests, not shipped."""

"""The tests: per layer (core, checkov, prowler), end to end (e2e), and what they share (support)."""

"""Compliance framework files for Prowler's ``prowler.compliance`` entry point (``aws``)."""

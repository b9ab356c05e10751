"""Checking: the rules applied to each file and the library, and the reports of findings."""

"""Behaviour assertions over the journal (DESIGN §6): pytest-free, usable from unittest."""

"""Renderers: turn result data (reports, findings) into text, JSON and CI formats."""

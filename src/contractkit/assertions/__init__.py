"""Behaviour assertions over the journal (DESIGN §6): pytest-free, usable from unittest."""

from contractkit.assertions.calls import Calls
from contractkit.assertions.outcomes import raises_typed, tolerates

__all__ = ["Calls", "raises_typed", "tolerates"]

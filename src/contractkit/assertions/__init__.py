"""Behaviour assertions over the journal (DESIGN §6): pytest-free, usable from unittest."""

from contractkit.assertions.calls import Calls
from contractkit.assertions.deliveries import Deliveries
from contractkit.assertions.leaks import no_secrets_in
from contractkit.assertions.outcomes import raises_typed, tolerates

__all__ = ["Calls", "Deliveries", "no_secrets_in", "raises_typed", "tolerates"]

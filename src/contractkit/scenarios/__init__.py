"""Scenarios and faults (DESIGN §5): how a mocked provider misbehaves, as data.

No aiohttp here: the server turns decisions into bytes on a socket.
"""

from contractkit.scenarios.engine import Decision, ScenarioEngine
from contractkit.scenarios.faults import Fault, build_fault
from contractkit.scenarios.library import ScenarioLibrary
from contractkit.scenarios.loader import builtin_names, load_scenario, scenario_schema
from contractkit.scenarios.model import Match, RequestFacts, Rule, Scenario, Step, Trigger

__all__ = [
    "Decision",
    "Fault",
    "Match",
    "RequestFacts",
    "Rule",
    "Scenario",
    "ScenarioEngine",
    "ScenarioLibrary",
    "Step",
    "Trigger",
    "build_fault",
    "builtin_names",
    "load_scenario",
    "scenario_schema",
]

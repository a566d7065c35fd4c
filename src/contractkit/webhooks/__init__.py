"""Webhooks as the provider sends them, before any socket: events from the contract,
payloads, signing schemes, retry schedules, faults and the outbound journal (L2; the
server delivers them)."""

"""Rules: the rulesets (data), the check registry and the engine."""

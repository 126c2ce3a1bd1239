"""The steps of a check after the network has run: offers, precedence, conflicts, Dutch wording.

Internal to the engine: faces, analysis and trajectories use `engine.check` / `Engine.check`.
"""

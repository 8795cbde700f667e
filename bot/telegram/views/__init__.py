"""Rendering: texts and keyboards built from domain objects, in the user's language."""

"""Fixtures for grounding tests."""

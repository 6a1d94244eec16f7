"""Fixtures for safety_plans tests."""

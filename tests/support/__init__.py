"""Shared test helpers: databases, form posts with CSRF, users, a live server and the browser."""

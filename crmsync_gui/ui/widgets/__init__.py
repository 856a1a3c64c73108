"""Reusable editors."""

"""Tingshen signing package (filled by later issues)."""

"""Tingshen web package (filled by later issues)."""

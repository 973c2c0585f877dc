"""Tingshen recordings package (filled by later issues)."""

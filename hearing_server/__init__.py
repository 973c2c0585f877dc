"""Tingshen hearing_server package (filled by later issues)."""

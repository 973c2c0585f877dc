"""Tingshen hearing server: FastAPI app factory, settings, database, auth, scheduling."""

"""Closing a hearing: freezing the transcript, who signs in which order, errata (issue 6)."""

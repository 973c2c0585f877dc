"""The court's case register: the list and search, hearings of a case, closing, time limits and
statistics."""

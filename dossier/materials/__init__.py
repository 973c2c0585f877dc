"""The dossier's materials: each in a volume, with a type, a source and versions (a correction
is a new version; nothing is overwritten or deleted)."""

"""Evidence on screen (举证质证): materials uploaded per hearing, shown to everyone page by page."""

"""Materials that arrive from events, publishing to parties, grants, review comments (issue 15,
"The dossier" bullets 3-5)."""

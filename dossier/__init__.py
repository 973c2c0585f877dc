"""The dossier side service: filing (立案) and the court's case register, the electronic dossier
(电子卷宗) and the electronic archive (电子档案). Runs inside ``tingshen serve`` (loaded by name,
``tingshen_platform.services``) or alone; learns what happens in hearings from events."""

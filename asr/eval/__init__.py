"""Evaluation of recognition against reference transcripts (``tingshen asr eval``).

Pure pieces, no framework: ``normalise`` (text normalisation for scoring), ``metrics`` (WER/CER,
percentiles), ``manifest`` (loading ``manifest.jsonl``) and ``report`` (result model, JSON document
and table). ``runner`` builds on them: it decodes the items with the engine (whole file, or a
simulated live stream) and scores them. See ``docs/asr-eval.md``.
"""

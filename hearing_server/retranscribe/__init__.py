"""Re-transcription of a closed hearing's recording (issue 5): a background job runs a chosen
model over every participant's track and proposes the result as suggestions, which a person
accepts or rejects; text a person edited is never overwritten.

- :mod:`~hearing_server.retranscribe.align`: pure alignment of words with segments
- :mod:`~hearing_server.retranscribe.jobs`: the job table's actions (start, cancel, progress, end)
- :mod:`~hearing_server.retranscribe.worker`: the one background thread that runs jobs
- :mod:`~hearing_server.retranscribe.decisions`: accept, reject, accept all untouched
"""

"""Durable work: :class:`JobQueue` (the queue in the database) and :class:`JobWorker` (a worker
loop with handlers per queue). See :mod:`tingshen_platform.jobs.queue` for a job's life."""

from tingshen_platform.jobs.policy import RetryPolicy
from tingshen_platform.jobs.queue import Job, JobQueue, LeaseLostError
from tingshen_platform.jobs.worker import JobWorker, PermanentJobError, ReleaseJob, work_one

__all__ = [
    "Job",
    "JobQueue",
    "JobWorker",
    "LeaseLostError",
    "PermanentJobError",
    "ReleaseJob",
    "RetryPolicy",
    "work_one",
]

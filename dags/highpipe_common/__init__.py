"""Shared helpers of HighPipe's Airflow DAGs: the HTTP client, the job-waiting tasks, the batch CLI runner.

The DAGs talk to HighPipe over HTTP only (`client.py`) and run the batch CLI as a subprocess (`batch.py`);
nothing here imports the `highpipe` package, which lives in another environment.
"""

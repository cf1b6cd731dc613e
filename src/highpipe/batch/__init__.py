"""Spark batch jobs over the lake: clean_reviews and daily_aggregates, their data-quality checks, and the
runner that loads their results into the warehouse (docs/data-platform.md).

Modules: clean.py and aggregates.py (pure DataFrame transformations), lake.py (reading the lake from Spark),
session.py (the SparkSession factory), stage.py (moving results next to the warehouse), runner.py (one job
for one day), quality.py (checks read from the warehouse), synthetic.py (benchmark and test data).
Importing this package imports nothing heavy; pyspark loads with the modules that need it.
"""

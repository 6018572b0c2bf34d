"""mmlens: the Dagster code location and the plain-Python libraries its assets call."""

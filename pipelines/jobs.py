"""Jobs."""

JOBS: list = []

"""The code location for several machines (`docs/deploy.md`, "Several machines"): mmlens's
definitions, with every job's steps run one after another in the run's own process.

A run's steps share the DuckDB file of the worker machine that runs it, which allows one writer.
On one machine the `duckdb` pool (limit 1) keeps them apart; across machines that pool is
counted in the shared PostgreSQL storage, for every machine at once, so here the run itself
keeps its steps in order and the pool's limit is the number of worker machines."""

import dagster as dg

from pipelines import definitions

# The module holds one Definitions object (Dagster loads a module's only one).
defs = dg.Definitions.merge(definitions.defs, dg.Definitions(executor=dg.in_process_executor))

"""The Graph API client: paging, async report runs, throttling and retries (plain httpx).

Modules, one concern each:
- `client`: `GraphClient` (auth header, appsecret_proof, retries, pacing, `cancel()`);
- `errors`: the reference's error tables as `classify()`, and the exceptions (`GraphUsageError`
  and subclasses exit 2, `GraphError` exit 1);
- `throttle`: usage headers → per-account pauses; `paging`: `iter_rows()` over `paging.next`;
- `async_reports`: `ReportRunner` (one job per range, resubmit, split);
- `insights`, `campaigns`, `accounts`, `estimates`: requests and typed rows;
- `dates`: account-local today, presets, range halves;
- `pull`: what the assets call (`make_client`, `for_each_account`, `pull_entities`, `pull_insights`,
  `pull_estimate`; `KnownAccount`: the entities a run already landed);
- `store`: one-transaction writes to the `raw` tables, and `landed_accounts()` to read the entities back.
"""

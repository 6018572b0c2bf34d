"""The Graph API client: paging, async report runs, throttling and retries (plain httpx)."""

"""A deterministic simulation of Meta's Graph API for Marketing Messages: the demo's data source
and the tests' double."""

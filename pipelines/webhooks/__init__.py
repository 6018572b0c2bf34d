"""Webhook receiver, parser and export ingestion for Marketing Messages events and send logs."""

"""Software-defined assets: raw ingestion, marts, reports and their asset checks."""

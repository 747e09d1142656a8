"""Warnings (预警): rules that turn compliance checks into warnings, and the engine that keeps
them current after every ingest and ledger change."""

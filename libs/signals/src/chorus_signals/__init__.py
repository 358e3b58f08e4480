"""Enrichment of canonical posts."""

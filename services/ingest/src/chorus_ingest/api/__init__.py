"""HTTP entry points of ingest: they translate and delegate to the intake."""

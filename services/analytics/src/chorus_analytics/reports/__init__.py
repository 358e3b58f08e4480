"""Report queries: each takes a session and a :class:`ReportQuery` and returns JSON-able data
with a flat ``rows`` list (what CSV renders)."""

"""The database: engines and sessions, bulk and direct statements, migrations."""

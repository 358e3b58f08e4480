"""The database: engines and sessions, bulk writes, migrations."""

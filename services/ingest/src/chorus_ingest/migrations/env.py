from chorus_common.persistence.migrations_env import run
from chorus_ingest.models import metadata

run(metadata, "alembic_version_ingest")

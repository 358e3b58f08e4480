from chorus_analytics.models import metadata
from chorus_common.persistence.migrations_env import run

run(metadata, "alembic_version_analytics")

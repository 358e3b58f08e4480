from chorus_common.persistence.migrations_env import run
from chorus_router.models import metadata

run(metadata, "alembic_version_router")

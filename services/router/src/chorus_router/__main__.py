from chorus_common.runtime import serve

from chorus_router.app import create_app
from chorus_router.settings import get_settings


def main() -> None:
    settings = get_settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()

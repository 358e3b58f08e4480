from chorus_common.runtime import serve

from chorus_responder.app import create_app
from chorus_responder.settings import get_settings


def main() -> None:
    settings = get_settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()

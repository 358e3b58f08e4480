from chorus_common.runtime import serve
from chorus_signals import warm_up

from chorus_ingest.app import create_app
from chorus_ingest.settings import get_settings


def main() -> None:
    settings = get_settings()
    warm_up()  # load the language models before the first request, not during it
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()

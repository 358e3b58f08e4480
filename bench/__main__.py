"""`make bench`: see bench/run.py."""

import asyncio
import sys

from bench.run import main

if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))

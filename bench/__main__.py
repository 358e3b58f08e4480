"""`make bench` entry point (the full benchmark lands with issue 8)."""

import sys

if __name__ == "__main__":
    print("benchmark not implemented yet")
    sys.exit(1)

"""The pipeline benchmark, kept under its old path: the same as

    uv run zhixing bench pipeline --cases N [--seed S] [--batch B]

(src/zhixing/bench.py). Run on demand, not in CI."""

import sys

from zhixing.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "pipeline", *sys.argv[1:]]))

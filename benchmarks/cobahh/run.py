#!/usr/bin/env python
"""Time the COBAHH benchmark on several Brian back-ends (see benchmarks/README.md).

Example::

    PYTHONPATH=. python benchmarks/cobahh/run.py --sizes 1000 4000 --backends genn-cpu cpp_standalone --threads 2
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from benchmarks.harness import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("cobahh"))

#!/usr/bin/env python
"""Time the Potjans-Diesmann microcircuit on several back-ends (see benchmarks/README.md).

Example::

    PYTHONPATH=. python benchmarks/microcircuit/run.py --sizes 0.02 --duration 0.2 \
        --shape groups subgroups --backends genn-cpu pygenn-cpu cpp_standalone --threads 1
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from benchmarks.harness import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("microcircuit"))

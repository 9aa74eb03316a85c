#!/usr/bin/env python
"""Time the STDP network (Song, Miller & Abbott 2000, scaled up) on several
back-ends (see benchmarks/README.md).

Example::

    PYTHONPATH=. python benchmarks/stdp/run.py --sizes 200 \
        --backends genn-cpu pygenn-cpu cpp_standalone --threads 1
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from benchmarks.harness import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("stdp"))

"""``python -m purezmq.bench``: the same as ``purezmq bench``."""

from __future__ import annotations

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())

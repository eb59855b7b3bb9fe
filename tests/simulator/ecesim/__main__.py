"""``python -m ecesim`` (with tests/simulator on sys.path)."""

from __future__ import annotations

import sys

from ecesim.cli import main

if __name__ == '__main__':
    sys.exit(main())

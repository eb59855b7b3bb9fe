"""Start the ECE + Elasticsearch simulator: ``python tests/simulator/run_simulator.py [--scenario FILE] [--out FILE]``.

Prints ``simulator ready: <out file>`` once every listener is up, then runs until SIGINT/SIGTERM.
See tests/simulator/README.md.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ecesim.cli import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == '__main__':
    sys.exit(main())

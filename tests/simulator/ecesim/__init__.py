"""ecesim: a stateful simulator of Elastic Cloud Enterprise environments and their Elasticsearch clusters.

Start it with ``python tests/simulator/run_simulator.py`` (see tests/simulator/README.md) or in-process
with :class:`ecesim.testing.Simulator`.
"""

from __future__ import annotations

__version__ = '1.0.0'

"""Where the simulator writes its files by default: outside any checkout, so that its server keys, certificates and
state never end up in a commit or a built collection.

``$ECE_SIM_DIR`` when set, else ``<temporary directory>/ece-remote-clusters-simulator`` (``$TMPDIR`` or ``/tmp``).
"""

from __future__ import annotations

import os
import tempfile

DIR_NAME = 'ece-remote-clusters-simulator'


def default_dir():
    return os.environ.get('ECE_SIM_DIR') or os.path.join(tempfile.gettempdir(), DIR_NAME)


def default_out_file():
    return os.path.join(default_dir(), 'simulator.json')

"""Command line: start the simulator, write the output file, print one ready line, run until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .app import SimulatorApp
from .paths import default_out_file
from .scenario import DEFAULT_SCENARIO


def build_parser():
    parser = argparse.ArgumentParser(prog='run_simulator.py', description='Simulated ECE environments and Elasticsearch clusters.')
    parser.add_argument('--scenario', default=DEFAULT_SCENARIO, help='scenario YAML (default: %(default)s)')
    parser.add_argument('--out', default=None,
                        help='output JSON file; certificates and keys go to <out without .json>-certs/ next to it '
                             '(default: %s, or $ECE_SIM_DIR/simulator.json)' % default_out_file())
    parser.add_argument('--spec-dir', default=None,
                        help='directory with ece/apidocs.json and elasticsearch/rest-api-spec-main: enables spec strictness')
    parser.add_argument('--latency-ms', type=float, default=None, help='latency added to every simulated request')
    parser.add_argument('--plan-seconds', type=float, default=None, help='how long a plan stays pending')
    parser.add_argument('--plain-http', action='store_true', help='serve ECE and Elasticsearch over plain HTTP (no TLS)')
    parser.add_argument('--admin-port', type=int, default=0, help='port of the admin API (default: any free port)')
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.out = args.out or default_out_file()
    app = SimulatorApp(scenario=args.scenario, out_file=args.out, spec_dir=args.spec_dir, latency_ms=args.latency_ms,
                       plan_seconds=args.plan_seconds, plain_http=args.plain_http, admin_port=args.admin_port)
    app.start()
    stop = threading.Event()

    def _stop(signum, frame):  # pylint: disable=unused-argument
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sys.stdout.write('simulator ready: %s\n' % app.out_file)
    sys.stdout.flush()
    while not stop.is_set():
        stop.wait(0.5)
    app.stop()
    return 0

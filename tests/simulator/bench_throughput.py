"""Benchmark (not a test): start the large scenario (3 environments, 200 deployments) in a subprocess, time the
startup, then measure GET throughput over loopback HTTPS with keep-alive from a few client threads for ~5 s.

    python tests/simulator/bench_throughput.py [--seconds 5] [--threads 4] [--scenario FILE]

Targets: startup < 2 s; >= 500 GET/s on a 2-core machine. Prints the figures, exits 0 (1 when a target is missed
and --strict is given). All traffic goes to 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from ecesim.testing import Simulator  # noqa: E402  pylint: disable=wrong-import-position


def _targets(info, slot, per_thread=3):
    """A mix of read requests for one client thread: its ECE environment (deployment GETs) and a few clusters
    (root, flat cluster settings, remote info). Each thread keeps a handful of keep-alive connections."""
    envs = list(info['environments'].values())
    env = envs[slot % len(envs)]
    deployments = list(env['deployments'].values())
    chosen = [deployments[(slot * per_thread + index) % len(deployments)] for index in range(per_thread)]
    ece_headers = {'Authorization': 'ApiKey ' + env['api_key']}
    targets = []
    for dep in chosen:
        es = dep['elasticsearch']
        es_headers = {'Authorization': 'ApiKey ' + es['api_key']}
        targets.append((es['url'] + '/', es_headers))
        targets.append((es['url'] + '/_cluster/settings?flat_settings=true', es_headers))
        targets.append((es['url'] + '/_remote/info', es_headers))
        targets.append((env['ece_url'] + '/api/v1/deployments/' + dep['id'], ece_headers))
    return targets


def _worker(targets, offset, bundle, deadline, counts, errors, slot):
    session = requests.Session()
    session.trust_env = False
    session.verify = bundle
    done = 0
    index = offset
    while time.monotonic() < deadline:
        url, headers = targets[index % len(targets)]
        index += 1
        response = session.get(url, headers=headers, timeout=10)
        if response.status_code != 200:
            errors[slot] += 1
        done += 1
    counts[slot] = done
    session.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=5.0)
    parser.add_argument('--threads', type=int, default=4)
    parser.add_argument('--scenario', default=os.path.join(HERE, 'scenarios', 'large.yml'))
    parser.add_argument('--strict', action='store_true', help='exit 1 when a target is missed')
    args = parser.parse_args(argv)

    start = time.monotonic()
    sim = Simulator.start(scenario=args.scenario, in_thread=False)
    startup = time.monotonic() - start
    try:
        info = sim.info
        deployments = sum(len(env['deployments']) for env in info['environments'].values())
        deadline = time.monotonic() + args.seconds
        counts = [0] * args.threads
        errors = [0] * args.threads
        threads = [threading.Thread(target=_worker, args=(_targets(info, slot), 0, sim.ca_bundle, deadline, counts, errors, slot))
                   for slot in range(args.threads)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 30)
        elapsed = time.monotonic() - began
        total = sum(counts)
        rate = total / elapsed if elapsed else 0.0
        reset_ms = sim.reset()['took_ms']
    finally:
        sim.stop()
    envs = len(info['environments'])
    print('scenario:            %s (%d environments, %d deployments)' % (os.path.basename(args.scenario), envs, deployments))
    print('startup:             %.2f s (process launch to "simulator ready"; target < 2 s)' % startup)
    print('reset:               %.1f ms' % reset_ms)
    print('GET requests:        %d in %.2f s from %d keep-alive client threads, %d errors' % (total, elapsed, args.threads, sum(errors)))
    print('throughput:          %.0f requests/s (target >= 500)' % rate)
    missed = startup >= 2.0 or rate < 500 or sum(errors) > 0
    return 1 if (missed and args.strict) else 0


if __name__ == '__main__':
    sys.exit(main())

"""Write the example inventory's variables for the bundled simulator (used by the demo and the tests).

    python scripts/simulator_inventory.py SIMULATOR_JSON OUT_DIR

OUT_DIR receives hosts.yml and group_vars/all/{environments,links}.yml in the same shape as
playbooks/inventory, with the simulator's URLs, IDs, CA files and credentials.
"""

import json
import os
import sys

import yaml


def environments(sim):
    return dict((name, {'ece_url': env['ece_url'], 'ece_api_key': env['api_key'], 'ca_path': sim['ca_bundle'],
                        'ece_region': env.get('region', 'ece-region')})
                for name, env in sim['environments'].items())


def cluster(sim, env, deployment):
    record = sim['environments'][env]['deployments'][deployment]
    es = record['elasticsearch']
    return {'environment': env, 'deployment_id': record['id'],
            'es': {'es_url': es['url'], 'es_username': es['username'], 'es_password': es['password'], 'ca_path': sim['ca_bundle']}}


def links(sim):
    return {
        'certificate_links': [
            {'alias': 'ece_b_data', 'local': cluster(sim, 'ece-a', 'search-a'), 'remote': cluster(sim, 'ece-b', 'data-b')},
        ],
        'api_key_links': [
            {'alias': 'ece_b_ingest', 'local': cluster(sim, 'ece-a', 'logs-a'), 'remote': cluster(sim, 'ece-b', 'ingest-b'),
             'access': {'search': [{'names': ['logs-*']}]}, 'role': {'name': 'remote-logs-reader'}},
        ],
    }


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1]) as handle:
        sim = json.load(handle)
    out = argv[2]
    os.makedirs(os.path.join(out, 'group_vars', 'all'), exist_ok=True)
    files = {
        'hosts.yml': {'all': {'hosts': {'localhost': {'ansible_connection': 'local',
                                                      'ansible_python_interpreter': '{{ ansible_playbook_python }}'}}}},
        os.path.join('group_vars', 'all', 'environments.yml'): {'ece_environments': environments(sim)},
        os.path.join('group_vars', 'all', 'links.yml'): links(sim),
    }
    for name, content in files.items():
        with open(os.path.join(out, name), 'w') as handle:
            handle.write('---\n' + yaml.safe_dump(content, default_flow_style=False, sort_keys=False))


if __name__ == '__main__':
    main(sys.argv)

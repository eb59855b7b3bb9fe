"""Write an example inventory's variables for the bundled simulator (used by the demo and the tests).

    python scripts/simulator_inventory.py SIMULATOR_JSON OUT_DIR
    python scripts/simulator_inventory.py --many [--replication] [--vault-password-file FILE] SIMULATOR_JSON OUT_DIR

Without --many, OUT_DIR receives hosts.yml and group_vars/all/{environments,links}.yml in the shape of
playbooks/inventory (certificate.yml, api_key.yml), with the simulator's URLs, IDs, CA files and credentials.

With --many, OUT_DIR receives the shape of playbooks/inventory_many (remote_clusters.yml, audit.yml): three
environments in group_vars/all/environments.yml, six links of both models in group_vars/all/links.yml, and every
secret in group_vars/all/vault.yml, which the other files reference as vault_* variables. With
--vault-password-file, vault.yml is encrypted with ansible-vault (run the playbooks with the same password file).
With --replication, the link search-a-to-data-b also replicates, as in playbooks/inventory_many: search-a follows the
index orders of data-b (create it on data-b before the rollout).
"""

import argparse
import json
import os

import yaml


def environments(sim):
    return dict((name, {'ece_url': env['ece_url'], 'ece_api_key': env['api_key'], 'ca_path': sim['ca_bundle'],
                        'ece_region': env.get('region', 'ece-region')})
                for name, env in sim['environments'].items())


def public_roots(sim):
    """The simulator's stand-in for the publicly trusted roots: the root of the environments with a public proxy CA."""
    path = os.path.join(sim['cert_dir'], 'public-root-ca.pem')
    return path if os.path.exists(path) else ''


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


# -- the inventory of playbooks/inventory_many -------------------------------------------------------
def _var(*parts):
    return 'vault_' + '_'.join(parts).replace('-', '_')


def many_environments(sim):
    """remote_clusters_environments: the ECE connection options, secrets as vault_* variables."""
    return dict((name, {'ece_url': env['ece_url'], 'ece_api_key': '{{ %s }}' % _var(name, 'api_key'),
                        'ece_region': env.get('region', 'ece-region'), 'ca_path': sim['ca_bundle']})
                for name, env in sim['environments'].items())


def many_cluster(sim, env, deployment, by_name=False):
    """One side of a link: the environment, the deployment (by ID, or by name) and the Elasticsearch connection."""
    record = sim['environments'][env]['deployments'][deployment]
    side = {'environment': env}
    if by_name:
        side['deployment_name'] = deployment
    else:
        side['deployment_id'] = record['id']
    side['es'] = {'es_url': record['elasticsearch']['url'], 'es_username': record['elasticsearch']['username'],
                  'es_password': '{{ %s }}' % _var(deployment, 'es_password'), 'ca_path': sim['ca_bundle']}
    return side


# the replication of the link search-a-to-data-b, as in playbooks/inventory_many (the leader index is data-b's)
REPLICATION = {'followers': [{'name': 'orders-copy', 'leader_index': 'orders'}]}


def many_links(sim, replication=False):
    """Six links over the default scenario's three environments, all of which the simulator connects; with
    ``replication``, search-a-to-data-b replicates the index orders of data-b."""
    links = [
        # TLS-certificate model across environments, deployments given by name
        {'name': 'search-a-to-data-b', 'model': 'certificate', 'alias': 'ece_b_data',
         'local': many_cluster(sim, 'ece-a', 'search-a', by_name=True), 'remote': many_cluster(sim, 'ece-b', 'data-b', by_name=True)},
        # Elasticsearch 7.5 has no proxy mode: legacy sniff mode through the ECE proxy; trust all of the other environment
        {'name': 'legacy-a-to-old-b', 'model': 'certificate', 'alias': 'ece_b_old', 'trust_all': True, 'skip_unavailable': True,
         'local': many_cluster(sim, 'ece-a', 'legacy-a'), 'remote': many_cluster(sim, 'ece-b', 'old-b')},
        # 7.17 to 6.8: adjacent majors, the older one on its last minor
        {'name': 'old-b-to-archive-c', 'model': 'certificate', 'alias': 'ece_c_archive',
         'local': many_cluster(sim, 'ece-b', 'old-b'), 'remote': many_cluster(sim, 'ece-c', 'archive-c')},
        # within one environment: account trust
        {'name': 'old-b-to-data-b', 'model': 'certificate', 'alias': 'data_b',
         'local': many_cluster(sim, 'ece-b', 'old-b'), 'remote': many_cluster(sim, 'ece-b', 'data-b', by_name=True)},
        # API-key model: 8.12 needs a restart to load the credentials; ece-b's proxy CA is private
        {'name': 'logs-a-to-ingest-b', 'model': 'api_key', 'alias': 'ece_b_ingest',
         'access': {'search': [{'names': ['logs-*']}]}, 'role': {'name': 'remote-logs-reader'},
         'local': many_cluster(sim, 'ece-a', 'logs-a'), 'remote': many_cluster(sim, 'ece-b', 'ingest-b')},
        # API-key model towards ece-a, whose proxy certificate comes from a public CA
        {'name': 'data-b-to-search-a', 'model': 'api_key', 'alias': 'ece_a_search', 'skip_unavailable': True,
         'access': {'search': [{'names': ['metrics-*', 'logs-*']}]},
         'local': many_cluster(sim, 'ece-b', 'data-b', by_name=True), 'remote': many_cluster(sim, 'ece-a', 'search-a', by_name=True)},
    ]
    if replication:
        links[0]['replication'] = REPLICATION
    return links


def many_secrets(sim):
    secrets = {}
    for name, env in sim['environments'].items():
        secrets[_var(name, 'api_key')] = env['api_key']
        for deployment, record in env['deployments'].items():
            secrets[_var(deployment, 'es_password')] = record['elasticsearch']['password']
    return secrets


def _dump(content):
    return '---\n' + yaml.safe_dump(content, default_flow_style=False, sort_keys=False, width=160)


def _encrypt(text, password_file):
    from ansible.parsing.vault import VaultLib, VaultSecret  # pylint: disable=import-outside-toplevel
    with open(password_file, 'rb') as handle:
        password = handle.read().strip()
    return VaultLib([('default', VaultSecret(password))]).encrypt(text).decode()


def write(out, files):
    os.makedirs(os.path.join(out, 'group_vars', 'all'), exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(out, name), 'w') as handle:
            handle.write(text)


def hosts():
    return {'all': {'hosts': {'localhost': {'ansible_connection': 'local',
                                            'ansible_python_interpreter': '{{ ansible_playbook_python }}'}}}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--many', action='store_true', help='write the shape of playbooks/inventory_many')
    parser.add_argument('--vault-password-file', help='encrypt vault.yml with this password (with --many)')
    parser.add_argument('--replication', action='store_true',
                        help='with --many: the link search-a-to-data-b replicates the index orders of data-b')
    parser.add_argument('simulator_json')
    parser.add_argument('out_dir')
    args = parser.parse_args(argv)
    with open(args.simulator_json) as handle:
        sim = json.load(handle)
    all_vars = os.path.join('group_vars', 'all')
    if not args.many:
        write(args.out_dir, {
            'hosts.yml': _dump(hosts()),
            os.path.join(all_vars, 'environments.yml'): _dump({'ece_environments': environments(sim),
                                                               'public_ca_path': public_roots(sim)}),
            os.path.join(all_vars, 'links.yml'): _dump(links(sim)),
        })
        return
    vault = _dump(many_secrets(sim))
    if args.vault_password_file:
        vault = _encrypt(vault, args.vault_password_file)
    write(args.out_dir, {
        'hosts.yml': _dump(hosts()),
        os.path.join(all_vars, 'environments.yml'): _dump({'remote_clusters_environments': many_environments(sim),
                                                           'remote_clusters_public_ca_path': public_roots(sim)}),
        os.path.join(all_vars, 'links.yml'): _dump({'remote_clusters_links': many_links(sim, args.replication)}),
        os.path.join(all_vars, 'vault.yml'): vault,
    })


if __name__ == '__main__':
    main()

# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  es_url:
    description:
      - URL of the Elasticsearch cluster, for example V(https://0123456789abcdef0123456789abcdef.ece.example.com:9243).
      - It must start with C(https://) (or C(http://)) and name a host; credentials in the URL are refused.
      - If not set, the value of the E(ES_URL) environment variable is used.
    type: str
    required: true
  es_api_key:
    description:
      - "An encoded Elasticsearch API key, sent as C(Authorization: ApiKey ...)."
      - Mutually exclusive with O(es_username). If not set, the E(ES_API_KEY) environment variable is used.
    type: str
  es_username:
    description:
      - User for basic authentication. Requires O(es_password).
      - If not set, the E(ES_USERNAME) environment variable is used.
    type: str
  es_password:
    description:
      - Password of O(es_username). If not set, the E(ES_PASSWORD) environment variable is used.
    type: str
  elasticsearch_version:
    description:
      - The version of Elasticsearch the cluster runs, when the caller knows it (for example the C(version) that
        M(ece.remote_clusters.ece_deployment_info) returns).
      - It saves the module the request that reads the version (C(GET /)). Give the running version, since the modules
        use it to refuse what the cluster does not support.
    type: str
notes:
  - An environment variable that is set but empty counts as not set, as the automation controller sets one for every
    field of a credential, empty for a field left blank.
  - Set the connection options once for all Elasticsearch modules with C(module_defaults) and the action group
    C(group/ece.remote_clusters.elasticsearch).
requirements:
  - requests
'''

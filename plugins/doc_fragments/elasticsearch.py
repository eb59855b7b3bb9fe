# -*- coding: utf-8 -*-
# Copyright: ece.remote_clusters contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  es_url:
    description:
      - URL of the Elasticsearch cluster, for example V(https://0123456789abcdef0123456789abcdef.ece.example.com:9243).
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
notes:
  - Set the connection options once for all Elasticsearch modules with C(module_defaults) and the action group
    C(group/ece.remote_clusters.elasticsearch).
requirements:
  - requests
'''

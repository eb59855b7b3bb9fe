# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  ece_url:
    description:
      - URL of the ECE API (a coordinator or its load balancer), for example V(https://coordinator:12443).
      - It must start with C(https://) (or C(http://)) and name a host, without C(/api/v1); credentials in the URL are refused.
      - If not set, the value of the E(ECE_URL) environment variable is used.
    type: str
    required: true
  ece_api_key:
    description:
      - "An ECE API key, sent as C(Authorization: ApiKey ...)."
      - Mutually exclusive with O(ece_username). If not set, the E(ECE_API_KEY) environment variable is used.
    type: str
  ece_username:
    description:
      - User for basic authentication, for example the ECE C(admin) user. Requires O(ece_password).
      - If not set, the E(ECE_USERNAME) environment variable is used.
    type: str
  ece_password:
    description:
      - Password of O(ece_username). If not set, the E(ECE_PASSWORD) environment variable is used.
    type: str
  ece_region:
    description:
      - Region of the ECE installation; C(/platform/...) paths are sent as C(/api/v1/regions/<region>/platform/...).
      - An empty string sends them without a region prefix, as older ECE versions document.
      - If not set, the E(ECE_REGION) environment variable is used, else V(ece-region).
    type: str
    default: ece-region
notes:
  - An environment variable that is set but empty counts as not set (except E(ECE_REGION)), as the automation
    controller sets one for every field of a credential, empty for a field left blank.
  - Set the connection options once for all ECE modules with C(module_defaults) and the action group
    C(group/ece.remote_clusters.ece).
requirements:
  - requests
'''

    # the ECE connection options above, per environment of the inventory plugin ece_deployments (options of a list
    # element cannot extend a fragment): the same names, types and defaults as the modules' argument spec
    ENVIRONMENTS = r'''
options:
  environments:
    description:
      - The ECE environments to read, each with its own connection options.
      - String values may be templates, for example a C(lookup) of a secret store or an environment variable, and
        vault-encrypted.
      - An option not given falls back to the environment variable named, for every environment that omits it. That
        suits one environment, or a value all environments share.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Name of the environment, for host and group names and the host variable C(ece_environment).
          - Unique within the list.
        type: str
        required: true
      ece_url:
        description:
          - URL of the environment's ECE API, for example V(https://ece-a.example.com:12443).
          - If not set, the value of the E(ECE_URL) environment variable is used.
        type: str
      ece_api_key:
        description:
          - "An ECE API key, sent as C(Authorization: ApiKey ...). Never shown in output or errors."
          - Mutually exclusive with O(environments[].ece_username). If not set, the E(ECE_API_KEY) environment
            variable is used.
        type: str
      ece_username:
        description:
          - User for basic authentication. Requires O(environments[].ece_password).
          - If not set, the E(ECE_USERNAME) environment variable is used.
        type: str
      ece_password:
        description:
          - Password of O(environments[].ece_username). Never shown in output or errors.
          - If not set, the E(ECE_PASSWORD) environment variable is used.
        type: str
      ece_region:
        description:
          - Region of the ECE installation, set as the group variable C(ece_region) of the environment's group.
          - If not set, the E(ECE_REGION) environment variable is used, else V(ece-region).
        type: str
        default: ece-region
      validate_certs:
        description:
          - Verify the TLS certificate of the ECE API. V(false) only for tests; it prints a warning.
        type: bool
        default: true
      ca_path:
        description:
          - PEM file with the CA certificates that signed the ECE API certificate, for a private CA.
        type: path
      request_timeout:
        description: Seconds to wait for the ECE API to answer the request.
        type: float
        default: 30
      retries:
        description:
          - How often the request is retried after a connection error, a timeout, or an HTTP 429, 502, 503 or 504
            answer, with jittered exponential backoff. Other errors are not retried.
        type: int
        default: 3
      retry_backoff:
        description: Base delay in seconds between retries (about 1, 2, 4, ... times this value).
        type: float
        default: 1
'''

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

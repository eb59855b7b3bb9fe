# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - Set to V(false) only for tests; the module then warns that the connection and its credentials can be intercepted.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificates that signed the server's certificate, for a private CA.
      - It is passed with every request, so it wins over E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE).
      - If not set, a module that talks to one API uses the value of the E(ECE_CA_PATH) (the ECE API) or E(ES_CA_PATH)
        (Elasticsearch) environment variable, as the credential types of this collection set them.
    type: path
  request_timeout:
    description:
      - Seconds to wait for the server to answer one request.
    type: float
    default: 30
  retries:
    description:
      - How often a request is retried after a connection error, a timeout, or an HTTP 429, 502, 503 or 504 answer.
      - Other 4xx answers are never retried. A C(POST) that creates or starts something (a key, a trust relationship, a
        restart) is retried only after HTTP 429 or a connection that was never made; after a timeout, a broken connection or
        an HTTP 502, 503 or 504 the server may have done the work, so the module reads first (the key by its name and
        owner, the relationship by the environment ID, the plans since the request) and only then decides.
      - Each retry is reported as a warning.
    type: int
    default: 3
  retry_backoff:
    description:
      - Base delay in seconds of the jittered exponential backoff between retries (about 1, 2, 4, ... times this value).
      - A C(Retry-After) header of the server is honoured, up to 60 seconds.
    type: float
    default: 1
'''

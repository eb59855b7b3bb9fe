#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: remote_cluster_link
short_description: Connect one deployment to another as a remote cluster, every step in one task
version_added: 1.0.0
description:
  - Applies one link between two deployments of Elastic Cloud Enterprise, in the TLS-certificate or the API-key security
    model, in one module run. It does what the roles
    R(ece.remote_clusters.remote_cluster_certificate,ansible_collections.ece.remote_clusters.remote_cluster_certificate_role)
    and R(ece.remote_clusters.remote_cluster_api_key,ansible_collections.ece.remote_clusters.remote_cluster_api_key_role)
    describe, and those roles use it.
  - Each step is the logic of one of this collection's modules, with the same validation, comparison and writes; see
    those modules for the details. The link passes the values from one step to the next, reuses a read for the next step
    when nothing was written in between, and waits for the plans of both deployments at the same time.
  - "TLS-certificate model (O(model=certificate)): read both deployments (M(ece.remote_clusters.ece_deployment_info));
    between two environments, platform trust in both directions (M(ece.remote_clusters.ece_trust_relationship_info),
    M(ece.remote_clusters.ece_trust_relationship)); deployment trust on both sides, of the environment's account or of the
    trust relationship, with the peer's cluster ID or all its clusters (M(ece.remote_clusters.ece_deployment_trust));
    then the remote cluster on the local cluster (M(ece.remote_clusters.es_remote_cluster)): proxy mode on the
    transport passthrough port of the remote deployment (9400, or O(certificate_port)) with the remote endpoint as
    C(server_name), or legacy sniff mode through the transport passthrough for Elasticsearch 6.7 to 7.5. Environments
    are told apart by their IDs, never by their names."
  - "API-key model (O(model=api_key)): read both deployments, both at Elasticsearch 8.12 or later; look up
    C(cluster.remote.<alias>.credentials) in the local keystore (M(ece.remote_clusters.ece_keystore_secret)); create
    or update the cross-cluster API key on the remote cluster, a new one when the keystore lacks the credentials or
    O(rotate=true) (M(ece.remote_clusters.es_cross_cluster_api_key)); store a new key's credentials in the local
    keystore; trust the remote environment's proxy CA in the local deployment where it is private
    (M(ece.remote_clusters.ece_tls_certificate_info), M(ece.remote_clusters.ece_deployment_trust)); the remote cluster
    in proxy mode on O(api_key_port); the credentials loaded on every node with evidence (from O(reload_min_version)
    on, C(POST _nodes/reload_secure_settings) answered by every node without an exception once the new keystore file
    reached it), else a restart of the local Elasticsearch (M(ece.remote_clusters.ece_deployment_restart)); the wait
    until cross-cluster requests through every node succeed; the older keys of the link retired only then, and the
    requests tried again; and, when O(role) is given, a local role with C(remote_indices)
    (M(ece.remote_clusters.es_role))."
  - The secret of a new cross-cluster API key goes from the remote cluster to the local keystore inside the module
    run; it is never returned.
  - A link is connected when cross-cluster requests succeed through every node of the local cluster
    (C(_resolve/cluster/<alias>:*) from Elasticsearch 8.13, its answer's C(connected) and C(error); else a search of the
    remote cluster that reads no data), as many in a row as the cluster has nodes. C(_remote/info) is never the verdict
    - it answers for one node, and keeps reporting C(connected) over connections whose requests fail to authenticate.
    Each request makes its node attempt a connection when it has none, since Elasticsearch does not reconnect by
    itself; each has a timeout of its own and is never retried, so that the wait ends within O(wait_timeout).
  - Before any write the link refuses what cannot work; a deployment linked to itself, versions that cannot connect
    (the same major, or adjacent majors with the older on its last minor), a remote deployment without an endpoint, a
    proxy CA certificate that is not in the remote proxy's chain, and a proxy trust entry on an ECE older than 3.7.
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
options:
  model:
    description:
      - The security model of the link.
      - Changing it from V(certificate) to V(api_key) migrates the link in place under the same alias - the key, then
        everything that needs a plan (the proxy CA where it is private, the O(role)), then the keystore entry, the
        credentials loaded (a reload from O(reload_min_version), else a restart) and at once one settings update that
        moves the alias to O(api_key_port), then the wait for the connection. From the load until the move, requests
        through the alias fail (a node that loaded the credentials builds its connection for the remote cluster server
        port) - seconds with a reload, the whole rolling restart below 8.13. RV(outage) says so, also in check mode, and
        RV(outage_seconds) measures it. An alias that ECE manages (its remote-clusters list) is taken out of that list
        first, and written only once ECE removed its settings. RV(migrated) tells. The trust of the certificate model
        stays unless O(remove_previous_trust=true).
      - The reverse, from an alias that connects with a cross-cluster API key back to V(certificate), is refused before any
        write (the TLS-certificate model is deprecated since Elasticsearch 9.0); remove the link and create it again.
    type: str
    required: true
    choices: [certificate, api_key]
  state:
    description:
      - V(present) connects the link.
      - V(absent) removes it in the reverse order of its creation, so that no half-removed link points at nothing. First
        the alias (its C(cluster.remote.<alias>.*) settings, and its entry in the ECE remote-clusters list of the local
        deployment when ECE manages it). Then, for API keys, the keystore entry, the link's own cross-cluster API keys
        (invalidated; keys of other owners are not touched) and the direct trust entry of the remote proxy CA when no
        other alias of the local cluster connects to that environment. For certificates, the peer's cluster ID in both
        deployments' trust allowlists when no other alias of the local cluster connects to the remote deployment and no
        alias of the remote cluster connects back (read with O(remote.es); without it that trust is kept), and with
        O(remove_platform_trust=true) the trust relationships no deployment names anymore (an external entry left
        with no cluster ID goes as a whole first, so that none names a deleted relationship).
      - Nothing else is touched. What is kept, and why, is in RV(kept). No restart is needed to remove a link, since the
        alias goes with its settings and its key is invalidated.
    type: str
    choices: [present, absent]
    default: present
  alias:
    description:
      - The name of the remote cluster on the local cluster, as in C(remote_alias:index) searches.
      - Lower-case letters, digits, C(_) and C(-).
    type: str
    required: true
  local:
    description:
      - The local deployment, whose cluster searches or replicates the remote one.
    type: dict
    required: true
    suboptions:
      deployment_id: &deployment_id
        description:
          - ID of the deployment (32 hexadecimal characters).
        type: str
        required: true
      ref_id: &ref_id
        description:
          - The C(ref_id) of the deployment's Elasticsearch resource; by default its first one.
        type: str
      environment:
        description:
          - A name of this ECE environment, used in messages and as the name of a trust relationship to it that the link
            creates in the other environment.
          - Environments are told apart by their IDs. An existing relationship that trusts this environment is used
            whatever its name. Without a name, a new relationship takes the name the environment gives itself (its own
            trust relationship), else C(ece-<first 12 characters of its ID>).
        type: str
      ece: &ece
        description:
          - Connection options of the ECE API of the deployment's environment.
          - The options of the C(ece.remote_clusters.ece) and C(ece.remote_clusters.connection) documentation fragments,
            without the environment variables (a link has two environments).
        type: dict
        required: true
        suboptions:
          ece_url:
            description:
              - URL of the ECE API, for example V(https://coordinator:12443), without C(/api/v1).
            type: str
            required: true
          ece_api_key:
            description:
              - An ECE API key. Mutually exclusive with O(local.ece.ece_username).
            type: str
          ece_username:
            description:
              - User for basic authentication. Requires O(local.ece.ece_password).
            type: str
          ece_password:
            description:
              - Password of O(local.ece.ece_username).
            type: str
          ece_region:
            description:
              - Region of the ECE installation; an empty string sends C(/platform/...) paths without a region prefix.
            type: str
            default: ece-region
          validate_certs: &validate_certs
            description:
              - Verify the server's TLS certificate.
            type: bool
            default: true
          ca_path: &ca_path
            description:
              - PEM file with the CA certificates that signed the server's certificate.
            type: path
          request_timeout: &request_timeout
            description:
              - Seconds to wait for the server to answer one request.
            type: float
            default: 30
          retries: &retries
            description:
              - How often a request is retried after a connection error, a timeout, or an HTTP 429, 502, 503 or 504.
            type: int
            default: 3
          retry_backoff: &retry_backoff
            description:
              - Base delay in seconds of the jittered exponential backoff between retries.
            type: float
            default: 1
      es: &es
        description:
          - Connection options of the deployment's Elasticsearch cluster.
          - Required for the local deployment. For the remote deployment, required in the API-key model, where it needs
            a user with the C(manage_security) privilege, with basic authentication, since Elasticsearch refuses API-key
            authentication to manage cross-cluster API keys.
        type: dict
        suboptions:
          es_url:
            description:
              - URL of the Elasticsearch cluster; by default the service URL of the deployment's resource.
            type: str
          es_api_key:
            description:
              - An encoded Elasticsearch API key. Mutually exclusive with O(local.es.es_username).
            type: str
          es_username:
            description:
              - User for basic authentication. Requires O(local.es.es_password).
            type: str
          es_password:
            description:
              - Password of O(local.es.es_username).
            type: str
          elasticsearch_version:
            description:
              - The running version of Elasticsearch; by default the one ECE reports.
            type: str
          validate_certs: *validate_certs
          ca_path: *ca_path
          request_timeout: *request_timeout
          retries: *retries
          retry_backoff: *retry_backoff
  remote:
    description:
      - The remote deployment, whose data the local cluster reads.
    type: dict
    required: true
    suboptions:
      deployment_id: *deployment_id
      ref_id: *ref_id
      environment:
        description:
          - A name of this ECE environment, as O(local.environment).
          - In the API-key model, the local deployment's new trust entry of its proxy CA is named
            C(<environment>-proxy-<first 12 hexadecimal characters of the certificate's SHA-256>), or without a name
            C(proxy-ca-<first 16 hexadecimal characters of the certificate's SHA-256>), so that two environments given one
            name never share an entry. An entry that already holds that certificate is used whatever its name.
        type: str
      ece: *ece
      es: *es
  skip_unavailable:
    description:
      - Whether searches skip the remote cluster when it is unavailable. Always written, since its default changed in 8.15.
    type: bool
    default: false
  wait_for_connection:
    description:
      - Wait until cross-cluster requests through every node of the local cluster succeed (not in check mode).
      - A re-run in which nothing changed sends those requests too, and loads the credentials again where they fail
        for want of them.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the connection, the cross-cluster requests included (each gets what is left, at most 10).
    type: int
    default: 60
  plan_wait_timeout:
    description:
      - Seconds to wait for each plan that a trust update or a restart starts.
    type: int
    default: 1800
  trust_all:
    description:
      - O(model=certificate) only. Trust every deployment of the other environment (or account) instead of the peer's
        cluster ID only.
    type: bool
    default: false
  remove_previous_trust:
    description:
      - O(model=api_key) only. When the link is migrated from the TLS-certificate model, remove the trust that model needed
        (the peer's cluster ID in both deployments' allowlists) once the alias is connected with the key, when no other
        alias of either cluster needs it; with O(remove_platform_trust=true) also the trust relationships that no deployment
        trusts through anymore. RV(kept) says what was kept and why.
    type: bool
    default: false
  remove_platform_trust:
    description:
      - With O(state=absent) of a certificate link, or O(remove_previous_trust=true) of a migrated one, also delete the
        trust relationships of the two environments that no deployment of that environment names anymore, after its own
        entries are gone (the deployments are found by a search sorted by ID and read with their settings only). A
        relationship with C(trust_by_default), which every deployment of its environment trusts without an entry, is
        kept. Each is deleted with its version, and read and decided again when it changed meanwhile.
    type: bool
    default: false
  manage_platform_trust:
    description:
      - O(model=certificate) only. Between two environments, create or update the trust relationship in both. With
        V(false), each environment must already have exactly one relationship that trusts the other one (by its ID).
    type: bool
    default: true
  trust_by_default:
    description:
      - O(model=certificate) only. The C(trust_by_default) of trust relationships the link creates or updates.
      - When not given, an existing relationship keeps its setting and a new one is created with V(false).
    type: bool
  certificate_port:
    description:
      - O(model=certificate) only. The port of the remote proxy for the TLS-certificate model.
      - By default the transport passthrough port the remote deployment read reports
        (C(metadata.ports.transport_passthrough)), 9400 where it reports none.
      - 9300 is the ECE proxies' plain-text transport-client port, where no remote cluster connects; a link made on 9300
        by an earlier version of this collection is moved to the passthrough port on the next run.
    type: int
  access:
    description:
      - O(model=api_key) only. What the cross-cluster API key grants, as O(ece.remote_clusters.es_cross_cluster_api_key#module:access).
      - By default search on every index (C(search) of C(names=["*"])).
    type: dict
    suboptions:
      search:
        description:
          - Indices the local cluster may search.
        type: list
        elements: dict
        suboptions:
          <<: &index_entry
            names:
              description:
                - Index names or patterns.
              type: list
              elements: str
              required: true
            allow_restricted_indices:
              description:
                - Whether the patterns cover restricted indices.
              type: bool
          query:
            description:
              - Document-level security query, as a dict or JSON string.
            type: raw
          field_security:
            description:
              - Field-level security, C(grant) and C(except) lists.
            type: dict
      replication:
        description:
          - Indices the local cluster may replicate (cross-cluster replication).
        type: list
        elements: dict
        suboptions: *index_entry
  api_key_name:
    description:
      - O(model=api_key) only. Name of the cross-cluster API key; by default C(<alias>-<local cluster ID>).
    type: str
  metadata:
    description:
      - O(model=api_key) only. Metadata of the key; C(managed_by), C(local_cluster_id) and C(alias) are added.
    type: dict
  expiration:
    description:
      - O(model=api_key) only. Expiration of the key, for example V(90d). A change is applied to the existing key (its
        expiration is then counted from the update); the value asked for is recorded in the key's metadata as
        C(requested_expiration).
    type: str
  rotate:
    description:
      - O(model=api_key) only. Create a new key even when one exists and store it; the older keys of the link are
        retired once every node holds the new one and requests through every node succeed with it.
      - A rotation that an earlier run began and did not finish (its new key is recorded in the key's metadata as
        C(rotation) C(stored) or C(loaded)) is finished instead of begun again.
    type: bool
    default: false
  list_owned_keys:
    description:
      - O(model=api_key) only. Also list every active cross-cluster API key of the remote cluster that a link of this
        collection owns, in RV(owned_keys), so that an audit can find the keys that no link owns (the role
        C(ece.remote_clusters.remote_clusters) does it in check mode). One more read; the remote user must see those keys
        (C(manage_security) does).
    type: bool
    default: false
  rotate_before_days:
    description:
      - O(model=api_key) only. Replace the key, as O(rotate=true) does, when it expires within this many days; the older
        key is invalidated once the local cluster is connected with the new one. Not given, a key is never replaced
        because of its expiration.
    type: int
  api_key_port:
    description:
      - O(model=api_key) only. The port of the remote proxy for the API-key model.
    type: int
    default: 9443
  trust_proxy_ca:
    description:
      - O(model=api_key) only. When to trust the remote environment's proxy CA in the local deployment.
      - V(auto) trusts it between environments (or where that is not known) when the root of the remote proxy's chain is
        not publicly trusted (not in O(public_ca_path)); V(always) also within one environment and for publicly trusted
        roots; V(never) does not.
      - A trust entry of type C(proxy) exists from ECE 3.7 on; the link reads the local ECE version before it writes one.
    type: str
    choices: [auto, always, never]
    default: auto
  proxy_ca_certificate:
    description:
      - O(model=api_key) only. The PEM of the remote proxy's CA, instead of reading the remote environment's chain.
      - It must be a certificate of the remote proxy's chain when the remote environment returns one.
    type: str
  public_ca_path:
    description:
      - O(model=api_key) only. A PEM bundle of the publicly trusted root certificates that O(trust_proxy_ca=auto)
        compares the remote proxy's root with; by default the bundle of the Python C(certifi) package, else the
        system's default bundle.
    type: path
  reload_min_version:
    description:
      - O(model=api_key) only. From this Elasticsearch version on (remote cluster credentials are reloadable from 8.13),
        the link loads new credentials with C(POST _nodes/reload_secure_settings) on every node; below it, with a
        restart.
      - A reload counts only when every node answers it without a C(reload_exception) once the new keystore file reached
        it (ECE writes it to the nodes a moment after the keystore update). From 9.3 each node's answer names the digest
        of its file, which shows it; before 9.3 a cross-cluster request with the new key shows it, or, in a rotation,
        where the old key would succeed too, O(credentials_settle_seconds) of reloads after the write.
      - Where the nodes refuse the reload (8.13.0 to 8.15.1 refuse it to a user without C(manage_security)) or no
        evidence shows within O(credentials_wait_timeout), the local Elasticsearch is restarted. RV(credentials) says
        what happened and why.
    type: str
    default: 8.13.0
  credentials_wait_timeout:
    description:
      - O(model=api_key) only. Seconds to reload the credentials until the evidence shows every node loaded them,
        before a restart.
    type: int
    default: 30
  credentials_settle_seconds:
    description:
      - O(model=api_key) only. Before Elasticsearch 9.3 no node says which keystore file it loaded; in a rotation, where a
        request with the old key succeeds as well, the link reloads the credentials until this many seconds after the
        keystore write before it retires the old key. A node that still used the old key then is reloaded again after
        the retirement, or the task fails and says how to recover.
    type: int
    default: 15
  migrate_alias:
    description:
      - O(model=api_key) only, a migration from V(certificate). V(keep) keeps the alias until it moves to
        O(api_key_port) right after the credentials load (Elasticsearch's own tests accept it; its reload may log a
        warning). V(remove_first) removes the alias's settings before the credentials load and writes it again after,
        as Elastic's migration guide does; the outage is the same.
    type: str
    choices: [keep, remove_first]
    default: keep
  previous_key_grace:
    description:
      - O(model=api_key) only. Instead of invalidating the keys that a new key replaces, give them an expiration this
        far away (for example V(1h)), so that a node still using one keeps working until then. Elasticsearch 8.13 and
        later on the remote cluster.
      - Not given, the previous keys are invalidated once every node uses the new key.
    type: str
  replication:
    description:
      - Cross-cluster replication through O(alias), both models. The follower indices and auto-follow patterns on the
        local cluster are created once cross-cluster requests through every node succeed.
      - Checked first, before any follower is written - the licence of both clusters (platinum, enterprise or a trial;
        the remote one when O(remote.es) is given) and the local nodes' roles (every master-eligible node with
        C(remote_cluster_client), and one node with it and a data role).
      - O(model=api_key), the key grants C(replication) on every leader index and leader index pattern. Without
        O(access), the link adds that to the key. With O(access), the key must grant it, or the task fails before any request.
        Elasticsearch refuses a key that grants replication together with search restricted by C(query) or
        C(field_security). Use two aliases instead.
      - With O(role), the local role also gets C(manage_ccr) and C(monitor), C(read), C(write) and
        C(manage_follow_index) on the follower indices. Under O(model=api_key) it also gets C(remote_indices) with
        C(cross_cluster_replication) on the leaders. Under O(model=certificate) the link writes a role of the same name on
        the remote cluster with C(read_ccr) and C(monitor) and C(read) on the leaders (with O(remote.es)).
      - Followers and patterns that a later run no longer lists are left as they are. Remove them with
        M(ece.remote_clusters.es_ccr_follower) and M(ece.remote_clusters.es_ccr_auto_follow_pattern).
      - RV(replication) returns what replicates through the alias.
    type: dict
    suboptions:
      followers:
        description:
          - Follower indices of leader indices of the remote cluster, as the options of
            M(ece.remote_clusters.es_ccr_follower) (O(alias) is their remote cluster). The follower waits until
            following has started, for at most O(wait_timeout).
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description:
              - Name of the follower index on the local cluster.
            type: str
            required: true
          leader_index:
            description:
              - Name of the leader index on the remote cluster.
            type: str
            required: true
          data_stream_name:
            description:
              - Name of the data stream of the follower, when the leader index is a backing index (Elasticsearch 8.4
                or later).
            type: str
          status:
            description:
              - V(active) follows. V(paused) keeps the follower paused. Elasticsearch may pause a follower, and V(active)
                resumes it.
            type: str
            choices: [active, paused]
            default: active
          settings:
            description:
              - Index settings of the follower, written on creation (never returned by Elasticsearch).
            type: dict
          max_read_request_operation_count: &ccr_count
            description:
              - A tuning parameter of the follower, as in M(ece.remote_clusters.es_ccr_follower); written on creation
                and resume.
            type: int
          max_outstanding_read_requests: *ccr_count
          max_write_request_operation_count: *ccr_count
          max_outstanding_write_requests: *ccr_count
          max_write_buffer_count: *ccr_count
          max_read_request_size: &ccr_text
            description:
              - A tuning parameter of the follower, as in M(ece.remote_clusters.es_ccr_follower) (a size or a time
                value); written on creation and resume.
            type: str
          max_write_request_size: *ccr_text
          max_write_buffer_size: *ccr_text
          max_retry_delay: *ccr_text
          read_poll_timeout: *ccr_text
      auto_follow:
        description:
          - Auto-follow patterns that follow the leader indices created after them, as the options of
            M(ece.remote_clusters.es_ccr_auto_follow_pattern) (O(alias) is their remote cluster).
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description:
              - Name of the auto-follow pattern.
            type: str
            required: true
          leader_index_patterns:
            description:
              - Index patterns of the remote cluster to follow.
            type: list
            elements: str
            required: true
          leader_index_exclusion_patterns:
            description:
              - Index patterns of the remote cluster not to follow.
            type: list
            elements: str
          follow_index_pattern:
            description:
              - Name of each follower index, with C({{leader_index}}) for the leader's name; default the leader's name.
            type: str
          settings:
            description:
              - Index settings of the followers, written with the pattern (never returned by Elasticsearch).
            type: dict
          active:
            description:
              - Whether the pattern follows new leader indices (V(false) keeps it paused).
            type: bool
            default: true
          max_read_request_operation_count: *ccr_count
          max_outstanding_read_requests: *ccr_count
          max_write_request_operation_count: *ccr_count
          max_outstanding_write_requests: *ccr_count
          max_write_buffer_count: *ccr_count
          max_read_request_size: *ccr_text
          max_write_request_size: *ccr_text
          max_write_buffer_size: *ccr_text
          max_retry_delay: *ccr_text
          read_poll_timeout: *ccr_text
  ccr_pause:
    description:
      - O(model=api_key) only, a migration from V(certificate). Pause the auto-follow patterns, then the followers, that
        replicate through O(alias) before the switch, and resume exactly those after it. Followers resume with the
        tuning parameters they ran with. This is the order of Elastic's migration guide.
      - The new key's metadata records what was paused, so if the task is interrupted, the next run resumes it.
        RV(ccr_paused) and RV(ccr_resumed) say what.
      - A follower runs with the privileges of whoever resumed it last, and Elasticsearch does not tell who created a
        follower. Resumed by the link, the followers run as the local user of O(local.es), so that user needs the
        privileges of replication, for example through O(role). Elastic's guide resumes them as the user or API key that
        created them. With V(false) they keep their user.
      - With V(false), followers keep running through the switch. Their requests fail during the outage
        (RV(outage)), and shard follow tasks retry such errors.
      - In any rotation or migration, the key must grant C(replication) on the leaders that followers of O(alias) use,
        or the task fails before any write. After the new key is in use, the followers must replicate within
        O(wait_timeout). No shard may have stopped, and every shard must have caught up with its leader or be advancing.
    type: bool
    default: true
  ccr_on_remove:
    description:
      - O(state=absent). While follower indices or auto-follow patterns of the local cluster replicate through
        O(alias), V(refuse) fails before any write. Without the alias their shard follow tasks would retry forever.
      - V(unfollow) deletes those auto-follow patterns. It pauses and closes each follower, turns it into a regular
        index, and opens it again, so its data stays. Then the link is removed. RV(unfollowed) says what.
    type: str
    choices: [refuse, unfollow]
    default: refuse
  role:
    description:
      - A local role to create or update, as the options of M(ece.remote_clusters.es_role). O(model=api_key), or
        O(model=certificate) with O(replication).
      - O(model=api_key). Without C(remote_indices), it grants C(read), C(read_cross_cluster) and
        C(view_index_metadata) on the searched index names of O(alias).
      - With O(replication), the privileges of replication are added (see there).
    type: dict
    suboptions:
      name:
        description:
          - Name of the role.
        type: str
        required: true
      cluster:
        description:
          - Cluster privileges.
        type: list
        elements: str
      indices:
        description:
          - Index privileges on the local cluster, as in M(ece.remote_clusters.es_role).
        type: list
        elements: dict
        suboptions: &privileges_entry
          names:
            description:
              - Index names or patterns.
            type: list
            elements: str
            required: true
          privileges:
            description:
              - Index privileges.
            type: list
            elements: str
            required: true
          query:
            description:
              - Document-level security query.
            type: raw
          field_security:
            description:
              - Field-level security.
            type: dict
          allow_restricted_indices:
            description:
              - Whether the patterns cover restricted indices.
            type: bool
      remote_indices:
        description:
          - Index privileges on remote clusters, as in M(ece.remote_clusters.es_role).
        type: list
        elements: dict
        suboptions:
          <<: *privileges_entry
          clusters:
            description:
              - Remote cluster aliases or patterns.
            type: list
            elements: str
            required: true
      remote_cluster:
        description:
          - Remote cluster privileges (Elasticsearch 8.15 or later).
        type: list
        elements: dict
        suboptions:
          clusters:
            description:
              - Remote cluster aliases or patterns.
            type: list
            elements: str
            required: true
          privileges:
            description:
              - Remote cluster privileges.
            type: list
            elements: str
            required: true
      metadata:
        description:
          - Metadata of the role.
        type: dict
      description:
        description:
          - Description of the role (Elasticsearch 8.15 or later).
        type: str
extends_documentation_fragment:
  - ece.remote_clusters.attributes
attributes:
  check_mode:
    support: full
    details:
      - Every step predicts its change without writing. Where a step needs what an earlier one would create (the ID of
        a new trust relationship, the secret of a new key), the link reports the change of that step as certain.
  diff_mode:
    support: full
    details:
      - One diff per step that has a before and after, headed with the step; secrets are masked.
  idempotent:
    support: full
notes:
  - The link takes no C(module_defaults) group, since each side carries its own connection options (a link usually
    spans two environments).
  - A failure names the step that failed (C(step)) and returns the results of the steps before it.
  - While the link waits (a plan or a restart of a deployment, the connection, the nodes loading the credentials), a line
    at default verbosity says every 15 seconds what it awaits, for how long so far and at most how long. Where the
    module does not run on the controller (it usually does, delegated to localhost), a line says every 30 seconds how
    long the link has been running. The environment variable E(ECE_REMOTE_CLUSTERS_PROGRESS_INTERVAL) of the controller sets the
    seconds between lines; V(0) turns them off. The lines name deployments, plan attempts and the alias, never a
    credential; a task with C(no_log) shows only the time. The module's result is the same with and without them.
seealso:
  - module: ece.remote_clusters.ece_deployment_trust
  - module: ece.remote_clusters.es_remote_cluster
  - module: ece.remote_clusters.es_cross_cluster_api_key
  - name: Access deployments of another ECE environment
    description: The Elastic documentation of both security models.
    link: https://www.elastic.co/guide/en/cloud-enterprise/current/ece-enable-ccs-for-eces.html
'''

EXAMPLES = r'''
- name: Connect two deployments of two environments with TLS certificates
  ece.remote_clusters.remote_cluster_link:
    model: certificate
    alias: logs-east
    local:
      environment: west
      deployment_id: 0123456789abcdef0123456789abcdef
      ece: "{{ ece_west }}"          # ece_url, ece_api_key, ca_path, ...
      es:
        es_username: remote-admin
        es_password: "{{ vault_west_es_password }}"
    remote:
      environment: east
      deployment_id: fedcba9876543210fedcba9876543210
      ece: "{{ ece_east }}"

- name: Connect them with a cross-cluster API key, and a local role that reads the remote logs
  ece.remote_clusters.remote_cluster_link:
    model: api_key
    alias: logs-east
    local:
      deployment_id: 0123456789abcdef0123456789abcdef
      ece: "{{ ece_west }}"
      es: "{{ es_west }}"
    remote:
      environment: east
      deployment_id: fedcba9876543210fedcba9876543210
      ece: "{{ ece_east }}"
      es: "{{ es_east_security_admin }}"   # basic authentication, manage_security
    access:
      search:
        - names: ["logs-*"]
    role:
      name: remote-logs-reader
  register: link

- name: Show how the local cluster sees the remote one
  ansible.builtin.debug:
    msg: "{{ link.remote_info }}"

- name: Take the API-key link down again (alias, keystore entry, key, proxy-CA trust that no other alias needs)
  ece.remote_clusters.remote_cluster_link:
    model: api_key
    state: absent
    alias: logs-east
    local:
      deployment_id: 0123456789abcdef0123456789abcdef
      ece: "{{ ece_west }}"
      es: "{{ es_west }}"
    remote:
      environment: east
      deployment_id: fedcba9876543210fedcba9876543210
      ece: "{{ ece_east }}"
      es: "{{ es_east_security_admin }}"
'''

RETURN = r'''
model:
  description: The security model of the link.
  returned: always
  type: str
  sample: api_key
alias:
  description: The alias of the remote cluster.
  returned: always
  type: str
  sample: logs-east
local:
  description:
    - The local Elasticsearch resource as M(ece.remote_clusters.ece_deployment_info) returns it (C(cluster_id),
      C(version), C(running_version), C(service_url), C(account_id), C(remote_connection), ...), with C(deployment_id)
      and C(deployment_name).
    - The result of each step below also holds that step's C(diff) in diff mode.
  returned: always
  type: dict
remote:
  description: The remote Elasticsearch resource, as RV(local).
  returned: always
  type: dict
owned_keys:
  description:
    - With O(list_owned_keys=true), the active cross-cluster API keys of the remote cluster that links of this collection
      own, each with C(id), C(name), C(expiration) (epoch milliseconds or null) and its owner, C(local_cluster_id) and
      C(alias). Never a secret.
  returned: when O(list_owned_keys=true)
  type: list
  elements: dict
migrated:
  description: O(model=api_key) only. Whether the alias was moved from the TLS-certificate model to the API key.
  returned: when O(model=api_key) and O(state=present)
  type: bool
outage:
  description: A migration only. When and how long cross-cluster requests through the alias fail (also in check mode).
  returned: when the link is migrated
  type: str
  sample: "cross-cluster requests through ece_b_data fail from the reload of the credentials until the alias moves to port 9443: seconds"
outage_seconds:
  description: A migration only. The outage measured, from the load of the credentials until requests succeed again.
  returned: when the link is migrated, outside check mode
  type: float
kept:
  description: With O(state=absent) or O(remove_previous_trust=true), what was kept because something else may still
    need it, and why.
  returned: when O(state=absent) or when a migration removed the previous trust
  type: list
  elements: str
  sample: ["the proxy CA of the remote environment: the aliases logs-b of the local cluster connect to that environment"]
same_environment:
  description:
    - Whether both deployments are in one ECE environment, from their accounts and, for the TLS-certificate model, the
      environments' IDs. V(null) when that is not known (a missing ID never means the same environment).
  returned: always
  type: bool
local_relationship:
  description:
    - The trust relationship to the remote environment in the local one, as M(ece.remote_clusters.ece_trust_relationship)
      returns it (C(changed), C(trust_relationship)).
  returned: model=certificate, between two environments, with O(manage_platform_trust=true)
  type: dict
remote_relationship:
  description: The trust relationship to the local environment in the remote one.
  returned: model=certificate, between two environments, with O(manage_platform_trust=true)
  type: dict
local_trust:
  description: The result of the local deployment's trust step, as M(ece.remote_clusters.ece_deployment_trust) returns it.
  returned: model=certificate
  type: dict
remote_trust:
  description: The result of the remote deployment's trust step.
  returned: model=certificate
  type: dict
api_key:
  description:
    - The cross-cluster API key, as M(ece.remote_clusters.es_cross_cluster_api_key) returns it, without C(encoded), with
      the keys it replaced in C(invalidated_ids) (or C(expiring_ids) with O(previous_key_grace)).
  returned: model=api_key
  type: dict
  sample: {"changed": true, "created": true, "updated": false, "id": "VuaCfGcBCdbkQm-e5aOx", "name": "logs-east-0123"}
keystore:
  description:
    - The credentials setting in the local keystore, as M(ece.remote_clusters.ece_keystore_secret) returns it (never
      the value).
  returned: model=api_key
  type: dict
proxy_trust:
  description: The trust step of the remote proxy CA in the local deployment.
  returned: model=api_key, when the proxy CA is trusted
  type: dict
restart:
  description: The restart of the local Elasticsearch, as M(ece.remote_clusters.ece_deployment_restart) returns it.
  returned: model=api_key, when a restart was needed
  type: dict
remote_cluster:
  description: The remote cluster settings step, as M(ece.remote_clusters.es_remote_cluster) returns it.
  returned: success
  type: dict
role:
  description: The local role step, as M(ece.remote_clusters.es_role) returns it.
  returned: model=api_key, when O(role) is given
  type: dict
remote_info:
  description:
    - The alias's entry of C(GET /_remote/info) on the local cluster, last read (how the connection of the node that
      answered is built), with C(connected) the verdict of the cross-cluster requests after a wait.
  returned: success
  type: dict
  sample: {"connected": true, "mode": "proxy", "proxy_address": "abc.ece.example.com:9443", "cluster_credentials": "::es_redacted::"}
credentials:
  description:
    - How the local nodes got the credentials of the alias and what proved it (in use already, reloaded on every node,
      or by a restart and why), or in check mode how they would.
  returned: model=api_key, when the credentials were checked or loaded
  type: str
  sample: loaded by a restart (Elasticsearch 8.12.2 is below 8.13.0, which first reloads remote cluster credentials)
replication:
  description:
    - What replicates through O(alias) on the local cluster after the run, as M(ece.remote_clusters.es_ccr_info)
      reads it. It is read after O(replication) is applied, and after a rotation or migration proves the followers
      replicate.
    - C(followers) (each with C(follower_index), C(leader_index), C(status), C(global_checkpoint_lag),
      C(read_exceptions), C(fatal_exceptions) and C(shards)), C(auto_follow_patterns), and C(problems) in plain words.
  returned: with O(replication), or after a key change while followers use the alias
  type: dict
  sample:
    followers:
      - follower_index: logs-copy
        leader_index: logs
        status: active
        global_checkpoint_lag: 0
        read_exceptions: []
        fatal_exceptions: []
    auto_follow_patterns: []
    problems: []
ccr_paused:
  description:
    - A migration with O(ccr_pause=true). The followers (with the tuning parameters they ran with) and the
      auto-follow patterns that it paused, or would pause in check mode.
  returned: when a migration paused replication
  type: dict
  sample: {followers: {logs-copy: {max_read_request_operation_count: 5120}}, auto_follow: [logs]}
ccr_changes:
  description: The follower indices and auto-follow patterns that the run changed (or would change, in check mode), each
    with C(step), C(what) (in words) and C(diff).
  returned: when a follower or an auto-follow pattern changed
  type: list
  elements: dict
  sample: [{step: ccr_follower, what: "follower index orders-copy of orders:orders", diff: {before: {}, after: {status: active}}}]
ccr_outage:
  description:
    - A migration with O(ccr_pause=true). Which followers and auto-follow patterns replicate nothing, and from when
      until when, also in check mode.
  returned: when a migration paused replication
  type: str
ccr_paused_seconds:
  description: How long the followers and auto-follow patterns that this run paused replicated nothing.
  returned: when this run paused and resumed replication
  type: float
  sample: 3.4
ccr_resumed:
  description: What the run resumed of what a migration paused (this run's, or an earlier run's that was interrupted).
  returned: when paused replication was resumed
  type: dict
  sample: {followers: {logs-copy: {}}, auto_follow: [logs]}
unfollowed:
  description: O(state=absent) with O(ccr_on_remove=unfollow). The followers and auto-follow patterns that it stopped.
  returned: when a removal stopped replication
  type: list
  elements: str
  sample: [follower logs-copy, auto-follow pattern logs]
step:
  description: The step that failed.
  returned: failure
  type: str
  sample: local_trust
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module
from ansible_collections.ece.remote_clusters.plugins.module_utils._link import RemoteClusterLink


def main():
    run_module(RemoteClusterLink)


if __name__ == '__main__':
    main()

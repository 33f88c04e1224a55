#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: restore_point_info
short_description: List the restore points of an organization in Veeam Backup for Microsoft 365
version_added: 0.1.0
description:
  - Lists the restore points of a backed-up organization, newest first, across its backup jobs, its backup
    repositories, the backup copies of them (also long-term copies in archive tiers) and retrieved data.
  - Each restore point comes with its time, job, repository, the kinds of data it holds, whether it is a copy and
    until when it is immutable, so that a playbook can choose what to restore from and give it to
    M(vb365.restore.restore_session) as O(vb365.restore.restore_session#module:restore_point).
  - Every page is read.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes.info
  - vb365.restore.connection
options:
  organization:
    description: The organization, by name (for example V(contoso.onmicrosoft.com)), Microsoft 365 name or id.
    type: str
    required: true
  since:
    description:
      - Only restore points made at or after this time. A date (V(2026-11-01), the start of that day, UTC), a
        date-time without offset (UTC) or with an offset.
    type: str
  until:
    description:
      - Only restore points made at or before this time. A date (V(2026-11-17), the end of that day, UTC), a
        date-time without offset (UTC) or with an offset.
    type: str
  job:
    description:
      - Only the restore points of this backup job or backup copy job (name or id). For a backup copy job, the
        restore points in the repository it copies to.
    type: str
  repository:
    description: Only the restore points in this backup repository (name or id).
    type: str
  copy:
    description:
      - V(true) for backup copies only (made by a backup copy job, long-term copies included), V(false) for
        everything else. Omitted, both.
    type: bool
  long_term_copy:
    description: V(true) for long-term copies (archive tiers) only, V(false) to leave them out. Omitted, both.
    type: bool
  retrieved:
    description: V(true) for retrieved data only, V(false) to leave it out. Omitted, both.
    type: bool
  exchange_only:
    description: Leave out the restore points that hold no Exchange data.
    type: bool
    default: false
  limit:
    description: Return only the newest this many restore points (after the filters).
    type: int
seealso:
  - module: vb365.restore.restore_session
  - module: vb365.restore.organization_info
'''

EXAMPLES = r'''
- name: The backup copies of Contoso in November, newest first
  vb365.restore.restore_point_info:
    organization: contoso.onmicrosoft.com
    copy: true
    since: "2026-11-01"
    until: "2026-11-30"
  register: copies

- name: Open a session at the newest copy
  vb365.restore.restore_session:
    organization: contoso.onmicrosoft.com
    restore_point: "{{ copies.restore_points[0].id }}"
  when: copies.restore_points | length > 0

- name: The newest Exchange restore point of each repository
  vb365.restore.restore_point_info:
    organization: contoso.onmicrosoft.com
    exchange_only: true
  register: points
'''

RETURN = r'''
restore_points:
  description: The restore points found, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The restore point id.
      type: str
    backup_time:
      description: When the restore point was made.
      type: str
      sample: "2026-11-16T22:00:00Z"
    organization_id:
      description: The organization id.
      type: str
    job_id:
      description: The id of the backup job the point belongs to.
      type: str
    job:
      description: The name of that job (backup job or backup copy job), when the server lists it.
      type: str
    repository_id:
      description: The id of the backup repository that holds the point.
      type: str
    repository:
      description: The name of that repository.
      type: str
    retrieval_id:
      description: For retrieved data, the id of the data retrieval.
      type: str
    data:
      description: The kinds of data the point holds, among V(Exchange), V(SharePoint), V(OneDrive), V(Teams).
      type: list
      elements: str
    is_exchange:
      description: Whether the point holds Exchange data (what the collection restores).
      type: bool
    is_copy:
      description: Whether a backup copy job made the point.
      type: bool
    is_long_term_copy:
      description: Whether the point is a long-term copy in an archive tier (restorable once retrieved).
      type: bool
    is_retrieved:
      description: Whether the point is data retrieved from an archive tier.
      type: bool
    is_deleted:
      description: Whether the point holds data marked as deleted.
      type: bool
    immutability_expires_on:
      description: Until when the data of the point cannot be deleted or changed; null when it is not immutable.
      type: str
  sample:
    - id: 3f6f7a9e-5c1b-5d2e-8f4a-9b0c1d2e3f4a
      backup_time: "2026-11-16T22:00:00Z"
      job: Backup Contoso
      repository: Object storage copy
      data: [Exchange, SharePoint]
      is_exchange: true
      is_copy: true
      is_long_term_copy: false
      is_retrieved: false
      immutability_expires_on: "2026-12-16T22:00:00Z"
organization:
  description: The organization.
  returned: always
  type: dict
  sample: {id: 6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a, name: contoso.onmicrosoft.com}
truncated:
  description: Whether O(limit) left out older restore points.
  returned: always
  type: bool
'''

from ansible_collections.vb365.restore.plugins.module_utils.browse import find_organization
from ansible_collections.vb365.restore.plugins.module_utils.times import normalize_point_in_time
from ansible_collections.vb365.restore.plugins.module_utils.values import pick_one
from ansible_collections.vb365.restore.plugins.module_utils.module import Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.sources import (
    find_repository,
    list_copy_jobs,
    list_jobs,
    list_repositories,
    list_restore_points,
    list_retrievals,
    names_by_id,
    restore_point_summary,
)


def start_of(value, option):
    """A lower bound: a plain date is the start of that day."""
    text = str(value).strip() if value is not None else ''
    if len(text) == 10 and text[4] == '-' and text[7] == '-':
        end = normalize_point_in_time(text, option)
        return end[:10] + 'T00:00:00Z'
    return normalize_point_in_time(text, option)


def run(mod):
    params = mod.params
    since = start_of(params['since'], 'since') if params['since'] else None
    until = normalize_point_in_time(params['until'], 'until') if params['until'] else None
    if since and until and since > until:
        raise parameter_error('since', '%s is after until (%s)' % (since, until))
    if params['limit'] is not None and params['limit'] < 1:
        raise parameter_error('limit', 'must be 1 or more, got %d' % params['limit'])
    organization = find_organization(mod.client, params['organization'])
    org_id = organization['id']
    mod.result['organization'] = {'id': org_id, 'name': organization.get('name')}
    jobs, copy_jobs = list_jobs(mod.client, org_id), list_copy_jobs(mod.client, org_id)
    repositories = list_repositories(mod.client, org_id)
    job_id = repository_id = None
    if params['job']:
        job = pick_one(jobs + copy_jobs, params['job'], 'backup job or backup copy job', 'job', ('name',),
                       ('id', 'name', 'repositoryId'))
        if job in copy_jobs:
            repository_id = job.get('repositoryId')
        else:
            job_id = job['id']
    if params['repository']:
        repository = find_repository(mod.client, org_id, params['repository'])
        if repository_id and repository_id.lower() != str(repository['id']).lower():
            raise parameter_error('repository', '%s is not the repository that backup copy job %s writes to' % (
                repository.get('name'), params['job']))
        repository_id = repository['id']
    points = list_restore_points(mod.client, org_id, job_id=job_id, repository_id=repository_id, since=since,
                                 until=until, is_copy=params['copy'], is_long_term_copy=params['long_term_copy'],
                                 is_retrieved=params['retrieved'])
    if params['exchange_only']:
        points = [p for p in points if p.get('isExchange')]
    mod.result['truncated'] = bool(params['limit'] and len(points) > params['limit'])
    if params['limit']:
        points = points[:params['limit']]
    retrievals = list_retrievals(mod.client, org_id) if any(p.get('retrievalId') for p in points) else []
    names = names_by_id(jobs, copy_jobs, repositories, retrievals)
    mod.result['restore_points'] = [restore_point_summary(p, names) for p in points]


def main():
    mod = Vb365Module(
        argument_spec=dict(
            organization=dict(type='str', required=True),
            since=dict(type='str'),
            until=dict(type='str'),
            job=dict(type='str'),
            repository=dict(type='str'),
            copy=dict(type='bool'),
            long_term_copy=dict(type='bool'),
            retrieved=dict(type='bool'),
            exchange_only=dict(type='bool', default=False),
            limit=dict(type='int'),
        ),
    )
    mod.run(run)


if __name__ == '__main__':
    main()

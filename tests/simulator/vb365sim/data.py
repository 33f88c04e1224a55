"""The simulator's deterministic dataset: organizations, mailboxes, folders, backed-up items,
and the production state of each mailbox (what Exchange holds now).

Everything derives from the seed; dates are fixed so that runs are repeatable.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import datetime, timedelta, timezone

FIRST_BACKUP = datetime(2026, 1, 1, tzinfo=timezone.utc)
LAST_BACKUP = datetime(2026, 11, 22, 22, 0, 0, tzinfo=timezone.utc)
DELETED_AT = datetime(2026, 11, 17, 10, 30, 0, tzinfo=timezone.utc)
NS = uuid.UUID('4f1c2a53-7d0e-4b8e-9a51-6c0de5a1b365')


def iso(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_time(text):
    if text is None:
        return None
    text = text.strip().replace('z', 'Z')
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def uid(seed, *parts):
    return str(uuid.uuid5(NS, '%s:%s' % (seed, ':'.join(str(p) for p in parts))))


def sid(seed, *parts):
    """An Exchange-looking string id."""
    digest = hashlib.sha1(('%s:%s' % (seed, ':'.join(str(p) for p in parts))).encode()).hexdigest()
    return 'AAMkAG' + digest[:30]


class Folder:
    __slots__ = ('id', 'name', 'parent_id', 'path', 'category', 'type')

    def __init__(self, fid, name, parent_id, path, category='None', ftype='None'):
        self.id, self.name, self.parent_id, self.path = fid, name, parent_id, path
        self.category, self.type = category, ftype

    def api(self, mailbox_id):
        return {'id': self.id, 'name': self.name, 'type': self.type, 'category': self.category,
                'description': self.path, 'mailboxId': mailbox_id}


class Item:
    __slots__ = ('id', 'mailbox_id', 'folder_id', 'folder_path', 'cls', 'subject', 'sender', 'to', 'cc', 'sent',
                 'received', 'body', 'size', 'attachments', 'version', 'deleted_at', 'backed_up_at', 'hold',
                 'old_version', 'extra', 'key', '_api')

    def __init__(self, **kw):
        for name in self.__slots__:
            setattr(self, name, kw.get(name))
        if self.attachments is None:
            self.attachments = []
        if self.extra is None:
            self.extra = {}
        if self.version is None:
            self.version = 1
        if self.key is None:
            self.key = self.id  # the logical item: every version of an item has the same key
        self._api = None

    def api(self):
        """The item as the API shows it (RESTExchangeItemsComposed fields only); made once, never
        to be changed by callers (items do not change)."""
        if self._api is None:
            self._api = self._render()
        return self._api

    def _render(self):
        data = {'id': self.id, 'mailboxId': self.mailbox_id, 'itemClass': self.cls}
        if self.cls in ('IPM.Note', 'IPM.Post'):
            data.update({'subject': self.subject, 'from': self.sender, 'to': self.to, 'cc': self.cc or '',
                         'bcc': '', 'sent': iso(self.sent), 'received': iso(self.received), 'reminder': False,
                         'importance': self.extra.get('importance', 'Normal'),
                         'attachments': [{'name': n, 'sizeBytes': s} for n, s in self.attachments]})
        elif self.cls == 'IPM.Appointment':
            data.update({'subject': self.subject, 'organizer': self.sender, 'attendees': self.to,
                         'startTime': iso(self.received), 'endTime': iso(self.received + timedelta(hours=1)),
                         'location': self.extra.get('location', 'Teams'), 'recurring': False,
                         'attachments': [{'name': n, 'sizeBytes': s} for n, s in self.attachments]})
        elif self.cls == 'IPM.Contact':
            data.update({'fullName': self.subject, 'email': self.to, 'company': self.extra.get('company', ''),
                         'jobTitle': self.extra.get('job', ''), 'fileAs': self.subject, 'displayAs': self.subject})
        elif self.cls == 'IPM.DistList':
            data.update({'name': self.subject})
        elif self.cls == 'IPM.Task':
            data.update({'subject': self.subject, 'owner': self.sender, 'startDate': iso(self.received),
                         'dueDate': iso(self.received + timedelta(days=7)), 'percentComplete': 0.0,
                         'status': 'NotStarted', 'importance': 'Normal'})
        elif self.cls == 'IPM.StickyNote':
            data.update({'subject': self.subject, 'date': iso(self.received)})
        elif self.cls == 'IPM.Activity':
            data.update({'subject': self.subject, 'startTime': iso(self.received),
                         'endTime': iso(self.received + timedelta(hours=1)), 'entryType': 'Phone call', 'duration': 1})
        return data


class Mailbox:
    __slots__ = ('id', 'email', 'name', 'is_archive', 'is_public', 'org_id', 'folders', 'items', 'broken', 'key')

    def __init__(self, mid, email, name, org_id, is_archive=False, is_public=False, broken=False):
        self.id, self.email, self.name, self.org_id = mid, email, name, org_id
        self.is_archive, self.is_public, self.broken = is_archive, is_public, broken
        self.folders = {}
        self.items = []
        self.key = email.lower() + ('#archive' if is_archive else '')

    def api(self):
        return {'id': self.id, 'name': self.name, 'email': self.email, 'isArchive': self.is_archive,
                'isPublic': self.is_public}

    def folder_by_path(self, path):
        for folder in self.folders.values():
            if folder.path.lower() == path.lower():
                return folder
        return None


class Organization:
    def __init__(self, oid, name, office_name, kind, mailboxes=None):
        self.id, self.name, self.office_name, self.type = oid, name, office_name, kind
        self.mailboxes = mailboxes or []

    def api(self):
        data = {'id': self.id, 'name': self.name, 'officeName': self.office_name, 'type': self.type,
                'region': 'Worldwide', 'isBackedup': True, 'firstBackuptime': iso(FIRST_BACKUP),
                'lastBackuptime': iso(LAST_BACKUP), 'description': 'Simulated organization',
                'backedUpOrganizationId': self.office_name}
        if self.type == 'Office365':
            data.update({'isExchangeOnline': True, 'isSharePointOnline': True, 'isTeamsOnline': False})
        else:
            data.update({'isExchange': True, 'isSharepoint': False})
        return data


STANDARD_FOLDERS = [
    ('Inbox', None, 'Inbox', 'None'),
    ('Projects', 'Inbox', 'None', 'None'),
    ('2026', 'Inbox/Projects', 'None', 'None'),
    ('Invoices', 'Inbox', 'None', 'None'),
    ('Sent Items', None, 'Sent', 'None'),
    ('Deleted Items', None, 'Deleted', 'None'),
    ('Drafts', None, 'Drafts', 'None'),
    ('Calendar', None, 'None', 'Appointment'),
    ('Contacts', None, 'None', 'Contact'),
    ('Tasks', None, 'None', 'Task'),
    ('Notes', None, 'None', 'StickyNote'),
    ('Journal', None, 'None', 'Journal'),
]

SUBJECTS = ['Quarterly report', 'Budget review', 'Team offsite', 'Project Falcon status', 'Customer escalation',
            'Weekly sync notes', 'Security training', 'Travel approval', 'Design review', 'Release plan',
            'Contract renewal', 'Lunch on Friday', 'Hiring update', 'Server maintenance window', 'Board deck draft']
PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy']


def add_folders(seed, mailbox):
    for name, parent_path, category, ftype in STANDARD_FOLDERS:
        path = '%s/%s' % (parent_path, name) if parent_path else name
        parent = mailbox.folder_by_path(parent_path) if parent_path else None
        folder = Folder(sid(seed, mailbox.key, 'folder', path), name, parent.id if parent else None, path,
                        category, ftype)
        mailbox.folders[folder.id] = folder


def _item(seed, mailbox, folder_path, n, cls, subject, sender, to, received, size, **kw):
    folder = mailbox.folder_by_path(folder_path)
    return Item(id=sid(seed, mailbox.key, 'item', folder_path, n), mailbox_id=mailbox.id, folder_id=folder.id,
                folder_path=folder.path, cls=cls, subject=subject, sender=sender, to=to, sent=received,
                received=received, body=kw.pop('body', 'Body of %s' % subject), size=size,
                backed_up_at=kw.pop('backed_up_at', received + timedelta(hours=6)), **kw)


def fill_standard_mailbox(seed, mailbox, domain, rng, corrupt=False):
    """~40 messages and one item of every other class, deleted invoices and versions."""
    me = mailbox.email
    base = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)
    items = mailbox.items
    n = 0
    for index in range(30):
        n += 1
        received = base + timedelta(days=index * 50 // 30, hours=rng.randint(0, 9), minutes=rng.randint(0, 59))
        subject = '%s %d' % (SUBJECTS[index % len(SUBJECTS)], index + 1)
        folder = ['Inbox', 'Inbox/Projects', 'Inbox/Projects/2026', 'Inbox'][index % 4]
        sender = '%s@%s' % (PEOPLE[(index + 3) % len(PEOPLE)], domain)
        attachments = [('notes-%d.docx' % index, 20000 + index * 1000)] if index % 5 == 0 else []
        if index == 10:
            attachments.append(('mockups-%d.zip' % index, 2600 * 1024))  # the big one: about 3 MB
        size = 20 * 1024 + rng.randint(0, 300) * 1024 + sum(a[1] for a in attachments)
        items.append(_item(seed, mailbox, folder, n, 'IPM.Note', subject, sender, me, received, size,
                           attachments=attachments,
                           body='Hello, please see %s. Regards, %s' % (subject.lower(), sender.split('@')[0])))
    for index in range(8):
        n += 1
        received = datetime(2026, 11, 2 + index * 2, 9, 15, tzinfo=timezone.utc)
        subject = 'Invoice INV-2026-%03d' % (100 + index)
        item = _item(seed, mailbox, 'Inbox/Invoices', n, 'IPM.Note', subject, 'billing@northwind.example', me,
                     received, 180 * 1024 + index * 4096, attachments=[('%s.pdf' % subject, 150 * 1024)],
                     body='Invoice for services. Amount due: %d EUR.' % (1000 + 37 * index))
        if index >= 3:
            item.deleted_at = DELETED_AT  # five invoices deleted last Tuesday
        items.append(item)
    for index in range(2):
        n += 1
        received = datetime(2026, 11, 10 + index, 14, 0, tzinfo=timezone.utc)
        items.append(_item(seed, mailbox, 'Sent Items', n, 'IPM.Note', 'Re: %s' % SUBJECTS[index], me,
                           'frank@%s' % domain, received, 30 * 1024))
    n += 1
    items.append(_item(seed, mailbox, 'Drafts', n, 'IPM.Note', 'Draft: ideas for 2027', me, '', base, 24 * 1024))
    n += 1
    items.append(_item(seed, mailbox, 'Deleted Items', n, 'IPM.Note', 'Old newsletter', 'news@contoso.example', me,
                       base, 60 * 1024))
    others = [
        ('Calendar', 'IPM.Appointment', 'Quarterly planning'), ('Calendar', 'IPM.Appointment', 'One-to-one'),
        ('Calendar', 'IPM.Appointment', 'All hands'), ('Contacts', 'IPM.Contact', 'Grace Hopper'),
        ('Contacts', 'IPM.Contact', 'Alan Turing'), ('Contacts', 'IPM.Contact', 'Ada Lovelace'),
        ('Contacts', 'IPM.DistList', 'Project Falcon team'), ('Tasks', 'IPM.Task', 'Submit expenses'),
        ('Tasks', 'IPM.Task', 'Review contract'), ('Notes', 'IPM.StickyNote', 'Wi-Fi password is on the wall'),
        ('Journal', 'IPM.Activity', 'Call with supplier'),
    ]
    for index, (folder, cls, subject) in enumerate(others):
        n += 1
        received = datetime(2026, 10, 20 + index, 11, 0, tzinfo=timezone.utc)
        to = '%s@%s' % (subject.split()[0].lower(), domain) if cls == 'IPM.Contact' else me
        items.append(_item(seed, mailbox, folder, n, cls, subject, me, to, received, (22 + index) * 1024,
                           extra={'company': 'Contoso', 'job': 'Engineer', 'location': 'Room 1'}))
    # Holds: one item each.
    items[1].hold = 'in_place'
    items[2].hold = 'litigation'
    # Versions: two messages were edited after their first backup.
    for index in (4, 5):
        current = items[index]
        current.version = 2
        old = Item(**dict((s, getattr(current, s)) for s in Item.__slots__))
        old.id = current.id + '-v1'  # same key as the current version
        old.version = 1
        old.old_version = True
        old.subject = current.subject + ' (draft)'
        old.backed_up_at = current.backed_up_at - timedelta(hours=3)
        items.append(old)
    if corrupt:
        n += 1
        items.append(_item(seed, mailbox, 'Inbox', n, 'IPM.Note', 'Scanned contract [corrupt]', 'scanner@' + domain,
                           me, datetime(2026, 11, 5, 7, 0, tzinfo=timezone.utc), 900 * 1024))


def fill_bulk_mailbox(seed, mailbox, index):
    for n in range(3):
        received = datetime(2026, 11, 1 + n, 9, 0, tzinfo=timezone.utc)
        mailbox.items.append(_item(seed, mailbox, 'Inbox', n, 'IPM.Note', 'Welcome %d to %s' % (n + 1, mailbox.name),
                                   'it@tailspin.onmicrosoft.com', mailbox.email, received, 40 * 1024 + index))


def fill_reports_mailbox(seed, mailbox, count):
    folder = mailbox.folder_by_path('Inbox/Reports')
    base = datetime(2026, 1, 2, 6, 0, tzinfo=timezone.utc)
    prefix = sid(seed, mailbox.key, 'reports')[:20]
    append = mailbox.items.append
    for n in range(count):
        received = base + timedelta(minutes=17 * n)
        append(Item(id='%s%08d' % (prefix, n), mailbox_id=mailbox.id, folder_id=folder.id, folder_path=folder.path,
                    cls='IPM.Note', subject='Nightly report %05d' % n, sender='reports@contoso.onmicrosoft.com',
                    to=mailbox.email, sent=received, received=received, body='Report %d: all green' % n,
                    size=10 * 1024, backed_up_at=received + timedelta(hours=1), version=1))


class Dataset:
    """Organizations with their mailboxes; production state is built from it."""

    def __init__(self, seed=1, bulk_mailboxes=1000, report_items=25000):
        self.seed = seed
        rng = random.Random(seed)
        self.organizations = []
        self.mailboxes = {}

        def org(name, office, kind):
            o = Organization(uid(seed, 'org', name), name, office, kind)
            self.organizations.append(o)
            return o

        def mailbox(o, local, name, domain, **kw):
            email = '%s@%s' % (local, domain)
            key = email + ('#archive' if kw.get('is_archive') else '')
            m = Mailbox(uid(seed, 'mailbox', key), email, name, o.id, **kw)
            add_folders(seed, m)
            o.mailboxes.append(m)
            self.mailboxes[m.id] = m
            return m

        contoso = org('contoso.onmicrosoft.com', 'contoso', 'Office365')
        domain = 'contoso.onmicrosoft.com'
        for local, name in [('alice', 'Alice Smith'), ('bob', 'Bob Jones'), ('carol', 'Carol White'),
                            ('dave', 'Dave Brown'), ('erin', 'Erin Leaver'), ('frank', 'Frank Manager'),
                            ('chris.taylor', 'Chris Taylor'), ('christopher.taylor', 'Chris Taylor'),
                            ('finance', 'Finance Team')]:
            fill_standard_mailbox(seed, mailbox(contoso, local, name, domain), domain, rng, corrupt=(local == 'carol'))
        archive = mailbox(contoso, 'alice', 'Alice Smith', domain, is_archive=True)
        fill_bulk_mailbox(seed, archive, 0)
        fill_standard_mailbox(seed, mailbox(contoso, 'broken', 'Broken Mailbox', domain, broken=True), domain, rng)
        public = mailbox(contoso, 'publicfolders', 'Public Folders', domain, is_public=True)
        fill_bulk_mailbox(seed, public, 1)
        reports = mailbox(contoso, 'reports', 'Reports Bot', domain)
        parent = reports.folder_by_path('Inbox')
        folder = Folder(sid(seed, reports.key, 'folder', 'Inbox/Reports'), 'Reports', parent.id, 'Inbox/Reports')
        reports.folders[folder.id] = folder
        fill_reports_mailbox(seed, reports, report_items)

        fabrikam = org('fabrikam.onmicrosoft.com', 'fabrikam', 'Office365')
        for local, name in [('gina', 'Gina Fabrikam'), ('hank', 'Hank Fabrikam'), ('frank', 'Frank Fabrikam')]:
            fill_standard_mailbox(seed, mailbox(fabrikam, local, name, 'fabrikam.onmicrosoft.com'),
                                  'fabrikam.onmicrosoft.com', rng)

        tailspin = org('tailspin.onmicrosoft.com', 'tailspin', 'Office365')
        for index in range(1, bulk_mailboxes + 1):
            fill_bulk_mailbox(seed, mailbox(tailspin, 'user%04d' % index, 'User %04d' % index,
                                            'tailspin.onmicrosoft.com'), index)

        northwind = org('northwind.local', 'northwind', 'OnPremises')
        for local, name in [('ivan', 'Ivan Northwind'), ('judy', 'Judy Northwind')]:
            fill_standard_mailbox(seed, mailbox(northwind, local, name, 'northwind.local'), 'northwind.local', rng)

        self.by_org = dict((o.id, o) for o in self.organizations)
        self.items_by_id = {}
        for m in self.mailboxes.values():
            for item in m.items:
                self.items_by_id[(m.id, item.id)] = item

    def production(self):
        """What Exchange holds now: {mailbox key: {(folder path lowered, item key): record}}.

        A record is {id, subject, folder, version, unread, class}; ``id`` is the backed-up item's
        key, so a restored copy in another folder has the id of the item it came from.
        """
        contoso = self.organizations[0].id
        state = {}
        for m in self.mailboxes.values():
            records = {}
            for item in m.items:
                if item.old_version or item.deleted_at is not None:
                    continue
                records[record_key(item.folder_path, item.key)] = {
                    'id': item.key, 'subject': item.subject, 'folder': item.folder_path, 'version': item.version,
                    'unread': False, 'class': item.cls}
            if m.email.startswith('user') and m.email.endswith('@tailspin.onmicrosoft.com'):
                records.pop(record_key(m.items[0].folder_path, m.items[0].key), None)  # lost: a restore creates it
            if m.email == 'bob@contoso.onmicrosoft.com':
                for key in [k for k, r in records.items() if r['folder'] == 'Inbox/Invoices']:
                    del records[key]  # Bob lost his whole Invoices folder
            if not m.is_archive and not m.is_public and m.org_id == contoso \
                    and m.email != 'reports@contoso.onmicrosoft.com':
                # Two items were changed in production since the backup: a restore merges them.
                for item in m.items[6:8]:
                    record = records.get(record_key(item.folder_path, item.key))
                    if record is not None:
                        record['version'] = item.version + 1
            state[m.key] = records
        return state


def record_key(folder_path, item_key):
    """The key of a production record: an item is the same item only in the same folder."""
    return (folder_path.lower(), item_key)

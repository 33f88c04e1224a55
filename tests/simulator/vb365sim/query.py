"""The search query syntax the simulator understands (a subset of Veeam Explorer's).

Terms are ANDed.  ``field:value`` with fields subject, from, to, body, kind and received;
values may be quoted (``subject:"quarterly report"``).  ``received:`` takes a day
(``2026-11-17``), a range (``2026-11-01..2026-11-17``, both days included) or a comparison
(``>=2026-11-01``, ``>``, ``<=``, ``<``).  Bare words and quoted phrases match the subject, body,
sender or recipients.  Matching is case-insensitive and by substring.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

TOKEN = re.compile(r'(?:(\w+):)?(?:"([^"]*)"|(\S+))')
KINDS = {'email': 'IPM.Note', 'message': 'IPM.Note', 'meeting': 'IPM.Appointment', 'appointment': 'IPM.Appointment',
         'contact': 'IPM.Contact', 'task': 'IPM.Task', 'note': 'IPM.StickyNote', 'journal': 'IPM.Activity'}


class QueryError(ValueError):
    pass


def _day(text):
    try:
        return datetime.strptime(text, '%Y-%m-%d').replace(tzinfo=timezone.utc)
    except ValueError:
        raise QueryError('received: %r is not a date (YYYY-MM-DD)' % text)


def _date_test(value):
    one_day = timedelta(days=1)
    if '..' in value:
        start, end = value.split('..', 1)
        low, high = _day(start), _day(end) + one_day
        return lambda t: low <= t < high
    for op in ('>=', '<=', '>', '<'):
        if value.startswith(op):
            day = _day(value[len(op):])
            return {'>=': lambda t: t >= day, '<=': lambda t: t < day + one_day,
                    '>': lambda t: t >= day + one_day, '<': lambda t: t < day}[op]
    day = _day(value)
    return lambda t: day <= t < day + one_day


def compile_query(query):
    """A predicate over simulator items for ``query``; raises QueryError on bad syntax."""
    tests = []
    for field, quoted, bare in TOKEN.findall(query or ''):
        value = quoted if quoted or (quoted == '' and bare == '') else bare
        field = (field or '').lower()
        low = value.lower()
        if field == 'subject':
            tests.append(lambda i, v=low: v in (i.subject or '').lower())
        elif field == 'from':
            tests.append(lambda i, v=low: v in (i.sender or '').lower())
        elif field == 'to':
            tests.append(lambda i, v=low: v in (i.to or '').lower() or v in (i.cc or '').lower())
        elif field == 'body':
            tests.append(lambda i, v=low: v in (i.body or '').lower())
        elif field == 'kind':
            cls = KINDS.get(low)
            if cls is None:
                raise QueryError('kind: %r is not one of %s' % (value, ', '.join(sorted(KINDS))))
            tests.append(lambda i, c=cls: i.cls == c)
        elif field == 'received':
            when = _date_test(value)
            tests.append(lambda i, w=when: i.received is not None and w(i.received))
        elif field:
            raise QueryError('unknown search field %r' % field)
        else:
            tests.append(lambda i, v=low: any(v in (x or '').lower() for x in (i.subject, i.body, i.sender, i.to)))
    if not tests:
        raise QueryError('the query is empty')
    return lambda item: all(test(item) for test in tests)

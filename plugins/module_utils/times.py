# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Points in time as people type them, turned into the RFC 3339 UTC date-times the API takes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365ParameterError

# How far ahead of this host's clock a point in time may be (clocks differ a little).
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


def normalize_point_in_time(value, option='point_in_time'):
    """Accept what people type and return an RFC 3339 UTC date-time, or None for 'latest'.

    ``2026-11-17`` is the end of that day (UTC): a restore "as of the 17th" includes its
    backups.  A date-time without an offset is UTC.  ``latest``/empty means the newest backup.
    """
    if value is None:
        return None
    text = str(value).strip()
    if text == '' or text.lower() in ('latest', 'now'):
        return None
    if re.match(r'^\d{4}-\d{2}-\d{2}$', text):
        try:
            day = datetime.datetime.strptime(text, '%Y-%m-%d')
        except ValueError:
            raise Vb365ParameterError('%s: %r is not a valid date (YYYY-MM-DD)' % (option, value))
        if day.date() > _utcnow().date():
            raise Vb365ParameterError('%s: %r is in the future; backups exist only up to now' % (option, value))
        moment = day.replace(hour=23, minute=59, second=59)
        return moment.strftime('%Y-%m-%dT%H:%M:%SZ')
    match = re.match(r'^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$', text, re.IGNORECASE)
    if not match:
        raise Vb365ParameterError(
            '%s: %r is not a date or date-time; use e.g. 2026-11-17, 2026-11-17T08:30:00 (UTC) or '
            '2026-11-17T08:30:00+01:00' % (option, value))
    date_part, time_part, _fraction, offset = match.groups()
    if len(time_part) == 5:
        time_part += ':00'
    try:
        moment = datetime.datetime.strptime('%sT%s' % (date_part, time_part), '%Y-%m-%dT%H:%M:%S')
    except ValueError:
        raise Vb365ParameterError('%s: %r is not a valid date-time' % (option, value))
    if offset and offset.upper() != 'Z':
        sign = 1 if offset[0] == '+' else -1
        digits = offset[1:].replace(':', '')
        delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment = moment - sign * delta
    if moment > _utcnow() + FUTURE_TOLERANCE:
        raise Vb365ParameterError('%s: %r is in the future; backups exist only up to now' % (option, value))
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def _utcnow():
    """Now, in UTC, without a time zone (as the parsed points in time)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

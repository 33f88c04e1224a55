# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values users write, checked and converted: ids, email addresses, names matched to objects.

A name that matches several objects is an error that lists the candidates; a name that matches
nothing lists what exists.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AmbiguousError,
    Vb365NotFoundError,
    Vb365ParameterError,
)

UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
MAX_CANDIDATES_SHOWN = 20
# An Exchange address: a local part without spaces or separators, @, and a domain with a dot.
EMAIL_RE = re.compile(r'^[^@\s<>(),;:"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$')


def is_uuid(value):
    return bool(value) and bool(UUID_RE.match(str(value)))


def check_email(value, option):
    """Refuse a value that is not one email address, naming the option."""
    if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
        raise Vb365ParameterError('%s: %r is not an email address (user@example.com)' % (option, value))
    return value.strip()


def to_snake(data):
    """API object -> the snake_case dict modules return, without HAL links and actions."""
    if not isinstance(data, dict):
        return data
    clean = dict((k, v) for k, v in data.items() if k not in ('_links', '_actions'))
    return camel_dict_to_snake_dict(clean)


def _describe(obj, fields):
    return ', '.join('%s=%s' % (f, obj.get(f)) for f in fields if obj.get(f) not in (None, ''))


def candidates_text(objects, fields):
    shown = ['{%s}' % _describe(o, fields) for o in objects[:MAX_CANDIDATES_SHOWN]]
    more = len(objects) - len(shown)
    return '; '.join(shown) + ((' and %d more' % more) if more > 0 else '')


def pick_one(objects, ref, kind, option, keys, describe_fields):
    """The one object whose id equals ``ref``, or whose ``keys`` match it case-insensitively."""
    if ref is None or str(ref).strip() == '':
        raise Vb365ParameterError('%s: a %s name or id is required' % (option, kind))
    wanted = str(ref).strip()
    by_id = [o for o in objects if str(o.get('id', '')).lower() == wanted.lower()]
    if by_id:
        return by_id[0]
    for key in keys:
        matches = [o for o in objects if str(o.get(key) or '').lower() == wanted.lower()]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise Vb365AmbiguousError(
                '%s: %r matches %d %ss; use one of their ids: %s' % (
                    option, wanted, len(matches), kind, candidates_text(matches, describe_fields)),
                details={'candidates': [to_snake(m) for m in matches]})
    raise Vb365NotFoundError(
        '%s: no %s %r; there are: %s' % (option, kind, wanted, candidates_text(objects, describe_fields) or 'none'),
        details={'candidates': [to_snake(o) for o in objects[:MAX_CANDIDATES_SHOWN]]})

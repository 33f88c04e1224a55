# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors of the vb365.restore collection.

Every failure the client or a helper raises is a ``Vb365Error``; modules turn it into
``fail_json`` with the fields below.  Messages never contain a secret: the client redacts
them before an error is built.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class Vb365Error(Exception):
    """Base error: ``msg`` for people, the rest for machines."""

    def __init__(self, msg, status=None, error_code=None, method=None, path=None, details=None):
        super(Vb365Error, self).__init__(msg)
        self.msg = msg
        self.status = status
        self.error_code = error_code
        self.method = method
        self.path = path
        self.details = details or {}
        # True when a write may have been processed although no answer said so (a lost answer).
        self.maybe_processed = False

    def __str__(self):
        return self.msg

    def to_result(self):
        """The fields a module adds to its failure result."""
        result = {}
        if self.status is not None:
            result['status'] = self.status
        if self.error_code:
            result['error_code'] = self.error_code
        if self.method and self.path:
            result['request'] = '%s %s' % (self.method, self.path)
        result.update(self.details)
        return result


class Vb365ParameterError(Vb365Error):
    """Bad module input, detected before any request is sent."""


class Vb365ConnectionError(Vb365Error):
    """The server could not be reached or the TLS handshake failed."""


class Vb365AuthenticationError(Vb365Error):
    """Login or token refresh refused (wrong user name or password, 401)."""


class Vb365PermissionError(Vb365Error):
    """The server refused the operation for this account (403)."""


class Vb365NotFoundError(Vb365Error):
    """The server, or a name lookup, found no such object (404)."""


class Vb365ConflictError(Vb365Error):
    """The operation conflicts with the server's state (409)."""


class Vb365RequestError(Vb365Error):
    """The server rejected the request (400 or another 4xx)."""


class Vb365ServerError(Vb365Error):
    """The server failed (5xx) and retries did not help."""


class Vb365AmbiguousError(Vb365Error):
    """A name matched more than one object; ``details['candidates']`` lists them."""


class Vb365TimeoutError(Vb365Error):
    """A wait ran out of time; the operation may still be running on the server."""


class Vb365RestoreFailed(Vb365Error):
    """A restore finished with the result Failed."""


class Vb365DownloadError(Vb365Error):
    """An export could not be written or completed."""


_BY_STATUS = {
    400: Vb365RequestError,
    401: Vb365AuthenticationError,
    403: Vb365PermissionError,
    404: Vb365NotFoundError,
    409: Vb365ConflictError,
}


def error_class_for_status(status):
    """The error class for an HTTP status code."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status is not None and status >= 500:
        return Vb365ServerError
    return Vb365RequestError

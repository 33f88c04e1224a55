"""Server models: the simulator's answers where Veeam's v8 spec is silent, one named set of choices each.

A real VB365 server (or another implementation of the same API) may answer differently wherever
the spec leaves a detail open, and the collection must be right under every plausible answer.
Each open point is a *choice* with a few values; a *model* names one value for every choice.
The model is picked at start (``Simulator(server_model=...)``, ``run.py --server-model``) or
later through the control API (``POST /_sim/config {"server_model": ...}``); a single choice can
be overridden there too (``{"restore_session_id": "parent"}``).  docs/simulator.md gives the
reason for every choice.
"""

from __future__ import annotations

# choice -> its values, the first being the reference model's.
CHOICES = {
    # The id a restore call answers with: a restore session of its own, or the explore session's.
    'restore_session_id': ('new', 'parent'),
    # With the explore session's id: its Statistics are those of the latest operation, or sums over all.
    'statistics_scope': ('operation', 'session'),
    # BulkMailbox statistics entries: only for bulk restores (as the spec defines them), or for every restore.
    'mailbox_statistics': ('bulk', 'every'),
    # Where the created / merged / failed / skipped counts are: statistics and event message, or the message only.
    'restore_counts': ('statistics', 'event'),
    # Which downloads honour "Range: bytes=N-": every one, or the mailbox export only (others: 200, whole file).
    'download_range': ('every', 'mailbox'),
    # The status of a call that browses or acts on a stopped restore session.
    'stopped_session': (400, 409, 500),
    # A wrong user name or password at /v8/token: RESTExceptionInfo, or OAuth's {"error": "invalid_grant"}.
    'invalid_password': ('exception', 'oauth'),
    # The format of .issued / .expires in token answers.
    'token_times': ('iso8601', 'rfc1123'),
}

MODELS = {
    'reference': {},
    # One restore session per explore session: restores answer with its id, the statistics add up,
    # every restore gets per-mailbox entries, OAuth-style token errors with RFC 1123 times.
    'shared_session': {
        'restore_session_id': 'parent', 'statistics_scope': 'session', 'mailbox_statistics': 'every',
        'stopped_session': 409, 'invalid_password': 'oauth', 'token_times': 'rfc1123',
    },
    # The explore session's id again, but its statistics are the latest operation's and hold no counts:
    # only the events' messages say what was created and merged; Range only on the mailbox export.
    'shared_latest': {
        'restore_session_id': 'parent', 'statistics_scope': 'operation', 'restore_counts': 'event',
        'download_range': 'mailbox', 'stopped_session': 500,
    },
    # A restore session per operation whose statistics hold no counts; Range only on the mailbox export.
    'terse': {
        'restore_counts': 'event', 'download_range': 'mailbox', 'stopped_session': 409,
        'invalid_password': 'oauth',
    },
}
DEFAULT_MODEL = 'reference'


def choices_of(model):
    """Every choice's value in ``model``."""
    if model not in MODELS:
        raise ValueError('unknown server model %r (known: %s)' % (model, ', '.join(MODELS)))
    chosen = dict((name, values[0]) for name, values in CHOICES.items())
    chosen.update(MODELS[model])
    return chosen


def config_problem(values):
    """Why a config update's model or choices are not acceptable (None when they are)."""
    for key, value in (values or {}).items():
        if key == 'server_model' and value not in MODELS:
            return 'server_model: %r is not a model (known: %s)' % (value, ', '.join(MODELS))
        if key in CHOICES and value is not None and value not in CHOICES[key]:
            return '%s: %r is not one of %s' % (key, value, list(CHOICES[key]))
    return None

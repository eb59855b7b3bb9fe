"""Error types raised by handlers and turned into the exact error bodies of each API."""

from __future__ import annotations


class EceError(Exception):
    """ECE error: ``{"errors": [{"code", "message", "fields"?}]}`` plus header ``x-cloud-error-codes``."""

    def __init__(self, status, code, message, fields=None, spec_violation=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.spec_violation = spec_violation

    def body(self):
        error = {'code': self.code, 'message': self.message}
        if self.fields:
            error['fields'] = list(self.fields)
        return {'errors': [error]}


class EsError(Exception):
    """Elasticsearch error: ``{"error": {"root_cause": [..], "type", "reason"}, "status": N}``.

    ``plain=True`` gives the older plain-string form real ES still uses for routing errors
    (``{"error": "no handler found for uri [..] and method [..]", "status": 400}``).
    """

    def __init__(self, status, etype, reason, plain=False, headers=None, extra=None, spec_violation=None):
        super().__init__(reason)
        self.spec_violation = spec_violation
        self.status = status
        self.etype = etype
        self.reason = reason
        self.plain = plain
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self):
        if self.plain:
            return {'error': self.reason, 'status': self.status}
        cause = {'type': self.etype, 'reason': self.reason}
        cause.update(self.extra)
        error = {'root_cause': [dict(cause)]}
        error.update(cause)
        return {'error': error, 'status': self.status}


def illegal_argument(reason):
    return EsError(400, 'illegal_argument_exception', reason)


def validation_failed(*messages):
    text = 'Validation Failed: ' + ''.join('%d: %s;' % (index + 1, message) for index, message in enumerate(messages))
    return EsError(400, 'action_request_validation_exception', text)


def parse_exception(reason):
    return EsError(400, 'parse_exception', reason)


def x_content_parse(reason):
    return EsError(400, 'x_content_parse_exception', reason)

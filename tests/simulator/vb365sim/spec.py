"""Validate VB365 REST API requests and responses against Veeam's OpenAPI spec (v8).

Used by the simulator (every request it receives and every answer it gives) and by the
collection's unit tests (every request the client sends), so it imports nothing of the
simulator.  Request bodies are checked strictly: every object schema of a request body is
closed (``additionalProperties: false``), so an unknown or misspelt field anywhere in a body
is a problem, as is a query parameter the operation does not declare.  Responses are checked
against the schema documented for their status (extra fields are tolerated there).

OpenAPI 3.0 semantics on top of JSON Schema draft 4: ``nullable``, the formats uuid,
date-time, int32 and int64, ``discriminator`` (the instance is validated against the schema
its discriminator value maps to), ``readOnly`` (not allowed in requests) and ``writeOnly``
(not allowed in responses).  The ``x-anyOf`` extension is ignored.

Each component schema is converted once per direction and registered under its own URI in a
``referencing`` registry, lazily: compiling an operation converts only the schemas it reaches.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import json
import os
import re
import threading
from urllib.parse import parse_qsl

from jsonschema import Draft4Validator, FormatChecker, ValidationError
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRACT_PATH = os.path.join(os.path.dirname(HERE), 'contract', 'vb365_v8.json')
METHODS = ('get', 'put', 'post', 'delete', 'patch', 'head', 'options')
REQUEST, RESPONSE = 'request', 'response'
_REF_PREFIX = '#/components/schemas/'
_URI_PREFIX = 'urn:vb365:schemas:'
# OpenAPI keywords that are annotations or extensions (or handled by the conversion itself).
_DROPPED = frozenset(('x-anyOf', 'example', 'examples', 'xml', 'externalDocs', 'deprecated', 'description',
                      'title', 'default', 'x-ms-enum', 'readOnly', 'writeOnly', 'nullable', 'discriminator'))


class SpecError(Exception):
    """An unknown path or method, or a path whose letter case differs from the spec's."""


def default_spec_path():
    """``$VB365_SPEC`` (a full OpenAPI document, or a contract), else the project's own contract.

    The contract, ``tests/simulator/contract/vb365_v8.json``, is committed with the project and
    generated from Veeam's full document by ``tests/simulator/contract/build_contract.py``.
    """
    env = os.environ.get('VB365_SPEC')
    if env:
        return env
    return CONTRACT_PATH


# ---------------------------------------------------------------------------------------- formats
FORMATS = FormatChecker(formats=())
_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
_DATE_TIME = re.compile(r'^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$')
_INTEGER = re.compile(r'^[+-]?\d+$')
_RANGES = {'int32': (-2 ** 31, 2 ** 31 - 1), 'int64': (-2 ** 63, 2 ** 63 - 1)}


def is_uuid(value):
    return bool(_UUID.match(value))


def is_date_time(value):
    """RFC 3339 date-time with seconds and an offset (``Z`` or ``+hh:mm``), and a real date."""
    if not _DATE_TIME.match(value):
        return False
    text = value.upper()
    head, dot, rest = text.partition('.')
    if dot:  # .NET writes 7 fractional digits; datetime takes at most 6
        digits = re.match(r'\d+', rest).group(0)
        text = head + '.' + digits[:6].ljust(6, '0') + rest[len(digits):]
    try:
        datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except ValueError:
        return False
    return True


@FORMATS.checks('uuid')
def _check_uuid(value):
    return not isinstance(value, str) or is_uuid(value)


@FORMATS.checks('date-time')
def _check_date_time(value):
    return not isinstance(value, str) or is_date_time(value)


@FORMATS.checks('int32')
def _check_int32(value):
    return isinstance(value, bool) or not isinstance(value, int) or _RANGES['int32'][0] <= value <= _RANGES['int32'][1]


@FORMATS.checks('int64')
def _check_int64(value):
    return isinstance(value, bool) or not isinstance(value, int) or _RANGES['int64'][0] <= value <= _RANGES['int64'][1]


@FORMATS.checks('byte')
def _check_byte(value):
    if not isinstance(value, str):
        return True
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


# ----------------------------------------------------------------------- OpenAPI-only keywords
def _discriminator(validator, spec, instance, _schema):
    """Validate an object against the schema its discriminator value maps to."""
    if not isinstance(instance, dict):
        yield from validator.descend(instance, spec['schema'])
        return
    name = spec['propertyName']
    value = instance.get(name)
    target = spec['mapping'].get(value) if isinstance(value, str) else None
    if target is not None:
        yield from validator.descend(instance, {'$ref': target})
        return
    if name in instance:
        yield ValidationError('%r is not one of the discriminator values %s' % (value, sorted(spec['mapping'])),
                              path=[name])
        return
    yield from validator.descend(instance, spec['schema'])


def _or_null(validator, schema, instance, _schema):
    """``nullable`` on a schema without ``type`` (e.g. ``allOf: [$ref]``): null, or valid against it."""
    if instance is not None:
        yield from validator.descend(instance, schema)


def _read_only(_validator, _value, _instance, _schema):
    yield ValidationError('read-only: set by the server, not allowed in a request')


def _write_only(_validator, _value, _instance, _schema):
    yield ValidationError('write-only: never part of a response')


_Validator = extend(Draft4Validator, {'x-discriminator': _discriminator, 'x-or-null': _or_null,
                                      'x-read-only': _read_only, 'x-write-only': _write_only})


def _uri(ref):
    if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
        return _URI_PREFIX + ref[len(_REF_PREFIX):]
    raise SpecError('unsupported $ref %r' % (ref,))


def convert(node, direction, strict, refs):
    """OpenAPI 3.0 schema -> JSON Schema draft 4 for one direction; adds the names it refers to to ``refs``."""
    if isinstance(node, list):
        return [convert(n, direction, strict, refs) for n in node]
    if not isinstance(node, dict):
        return node
    if '$ref' in node:  # OpenAPI 3.0: siblings of $ref are ignored
        refs.add(node['$ref'][len(_REF_PREFIX):])
        return {'$ref': _uri(node['$ref'])}
    hidden = 'readOnly' if direction == REQUEST else 'writeOnly'
    out = {}
    for key, value in node.items():
        if key in _DROPPED or key.startswith('x-'):
            continue
        if key == 'properties':
            props = {}
            for name, sub in value.items():
                if isinstance(sub, dict) and sub.get(hidden):
                    props[name] = {'x-read-only' if direction == REQUEST else 'x-write-only': True}
                else:
                    props[name] = convert(sub, direction, strict, refs)
            out[key] = props
        elif key == 'required':
            hidden_names = set(n for n, s in node.get('properties', {}).items() if isinstance(s, dict) and s.get(hidden))
            kept = [n for n in value if n not in hidden_names]
            if kept:
                out[key] = kept
        elif key in ('items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'):
            out[key] = convert(value, direction, strict, refs)
        else:
            out[key] = value
    if node.get('nullable'):
        if 'type' in out:
            out['type'] = [out['type'], 'null']
            if 'enum' in out:
                out['enum'] = list(out['enum']) + [None]
        elif out:
            out = {'x-or-null': out}
    if strict and (out.get('type') == 'object' or 'properties' in out) and 'additionalProperties' not in out:
        out['additionalProperties'] = False
    discriminator = node.get('discriminator')
    if discriminator and discriminator.get('mapping'):
        mapping = {}
        for value, ref in discriminator['mapping'].items():
            refs.add(ref[len(_REF_PREFIX):])
            mapping[value] = _uri(ref)
        out = {'x-discriminator': {'propertyName': discriminator['propertyName'], 'mapping': mapping, 'schema': out}}
    return out


# ---------------------------------------------------------------------------------------- routing
class _Route:
    __slots__ = ('template', 'item', 'literals', 'params', 'specificity')

    def __init__(self, template, item):
        self.template = template
        self.item = item
        segments = template.strip('/').split('/')
        self.literals = [(i, s) for i, s in enumerate(segments) if not s.startswith('{')]
        self.params = [(i, s[1:-1]) for i, s in enumerate(segments) if s.startswith('{')]
        self.specificity = [not s.startswith('{') for s in segments]


class _Node:
    __slots__ = ('literal', 'param', 'routes')

    def __init__(self):
        self.literal = {}
        self.param = None
        self.routes = []


def _walk(node, segments, index, found):
    if index == len(segments):
        found.extend(node.routes)
        return
    child = node.literal.get(segments[index].lower())
    if child is not None:
        _walk(child, segments, index + 1, found)
    if node.param is not None and segments[index]:
        _walk(node.param, segments, index + 1, found)


def _problems_of(validator, instance, where):
    errors = list(validator.iter_errors(instance))
    if not errors:
        return []
    problems = []
    for error in errors:
        location = where + ''.join('[%d]' % p if isinstance(p, int) else '.%s' % p for p in error.absolute_path)
        if error.validator == 'additionalProperties':
            known = error.schema.get('properties', {})
            extra = sorted(name for name in error.instance if name not in known)
            problems.append('%s: unknown field%s %s' % (location, 's' if len(extra) > 1 else '',
                                                        ', '.join(repr(e) for e in extra)))
        else:
            problems.append('%s: %s' % (location, error.message))
    return sorted(set(problems))


class SpecValidator:
    """Matches requests to the spec's operations and validates requests and responses."""

    def __init__(self, spec_path=None):
        self.spec_path = spec_path or default_spec_path()
        if not os.path.exists(self.spec_path):
            raise SpecError('the API contract is not at %s (VB365_SPEC names another one)' % self.spec_path)
        with open(self.spec_path, encoding='utf-8') as handle:
            self.spec = json.load(handle)
        self._schemas = self.spec.get('components', {}).get('schemas', {})
        self._lock = threading.RLock()
        self._registries = {REQUEST: Registry(), RESPONSE: Registry()}
        self._converted = {REQUEST: set(), RESPONSE: set()}
        self._validators = {}
        self._root = _Node()
        for template, item in self.spec['paths'].items():
            route = _Route(template, item)
            node = self._root
            for segment in template.strip('/').split('/'):
                if segment.startswith('{'):
                    node.param = node.param or _Node()
                    node = node.param
                else:
                    node = node.literal.setdefault(segment.lower(), _Node())
            node.routes.append(route)

    # ------------------------------------------------------------------ routing
    def operations(self):
        """[(METHOD, template, operationId)] of every operation of the spec."""
        return [(method.upper(), template, op.get('operationId'))
                for template, item in self.spec['paths'].items()
                for method, op in item.items() if method in METHODS]

    def match(self, method, path, case_sensitive=True):
        """(template, operation, path_params) of a request; raises SpecError when none fits.

        Paths are routed case-insensitively, like the real server, but unless ``case_sensitive``
        is false a path whose letter case differs from the spec's template raises SpecError.
        """
        method = method.lower()
        segments = path.split('?', 1)[0].strip('/').split('/')
        found = []
        _walk(self._root, segments, 0, found)
        if not found:
            raise SpecError('%s %s: no such path in the spec' % (method.upper(), path))
        exact = [r for r in found if all(segments[i] == s for i, s in r.literals)]
        # Prefer the exact letter case, then literal segments over parameters, left to right.
        found.sort(key=lambda r: (r not in exact, [not s for s in r.specificity]))
        route = next((r for r in found if method in r.item), None)
        if route is None:
            raise SpecError('%s %s: the spec has no %s for %s' % (method.upper(), path, method.upper(),
                                                                  found[0].template))
        if case_sensitive and route not in exact:
            raise SpecError("%s %s: the path differs in letter case from the spec's %s" % (
                method.upper(), path, route.template))
        return route.template, route.item[method], dict((name, segments[i]) for i, name in route.params)

    # ------------------------------------------------------------------ schemas
    def _register(self, direction, names):
        """Convert the named component schemas (and those they reach) for one direction."""
        strict = direction == REQUEST
        done = self._converted[direction]
        todo = [n for n in names if n not in done]
        resources = []
        while todo:
            name = todo.pop()
            if name in done:
                continue
            if name not in self._schemas:
                raise SpecError('the spec has no schema %r' % name)
            done.add(name)
            refs = set()
            contents = convert(self._schemas[name], direction, strict, refs)
            resources.append((_URI_PREFIX + name, Resource(contents=contents, specification=DRAFT4)))
            todo.extend(r for r in refs if r not in done)
        if resources:
            self._registries[direction] = self._registries[direction].with_resources(resources)

    def validator(self, key, schema, direction):
        """The compiled validator of an operation's schema (cached under ``key``)."""
        validator = self._validators.get(key)
        if validator is None:
            with self._lock:
                validator = self._validators.get(key)
                if validator is None:
                    refs = set()
                    converted = convert(schema, direction, direction == REQUEST, refs)
                    self._register(direction, refs)
                    validator = _Validator(converted, registry=self._registries[direction], format_checker=FORMATS)
                    self._validators[key] = validator
        return validator

    def schema(self, name):
        """A component schema of the spec, as written there."""
        return self._schemas[name]

    def _resolve(self, schema):
        while isinstance(schema, dict) and '$ref' in schema:
            schema = self._schemas[schema['$ref'][len(_REF_PREFIX):]]
        return schema

    # ------------------------------------------------------------------ parameters
    def _check_value(self, label, where, name, value, schema):
        """Problems of one path or query parameter value (a string) against its schema."""
        schema = self._resolve(schema) or {}
        kind = schema.get('type')
        fmt = schema.get('format')
        shown = '%s: %s: %s=%r' % (label, where, name, value)
        if kind == 'array':
            return self._check_value(label, where, name, value, schema.get('items', {}))
        if kind == 'integer':
            if not _INTEGER.match(value):
                return ['%s is not an integer' % shown]
            low, high = _RANGES.get(fmt, (None, None))
            if low is not None and not low <= int(value) <= high:
                return ['%s is out of the %s range' % (shown, fmt)]
        elif kind == 'number':
            try:
                float(value)
            except ValueError:
                return ['%s is not a number' % shown]
        elif kind == 'boolean' and value.lower() not in ('true', 'false'):
            return ['%s is not a boolean' % shown]
        elif fmt == 'uuid' and not is_uuid(value):
            return ["%s is not a 'uuid'" % shown]
        elif fmt == 'date-time' and not is_date_time(value):
            return ["%s is not a 'date-time'" % shown]
        if 'enum' in schema and value not in schema['enum']:
            return ['%s is not one of %s' % (shown, schema['enum'])]
        return []

    # ------------------------------------------------------------------ requests
    def validate_request(self, method, path, query, content_type, body):
        """Problems with a request (an empty list when it follows the spec).

        ``query`` maps names to a value or a list of values; ``body`` is bytes, str or None.
        """
        method = method.upper()
        try:
            template, op, path_params = self.match(method, path)
        except SpecError as exc:
            return [str(exc)]
        label = '%s %s' % (method, template)
        problems = []
        declared = {}
        for param in op.get('parameters', ()):
            declared[(param.get('in'), param['name'])] = param
        for name, value in path_params.items():
            param = declared.get(('path', name))
            if param is not None:
                problems.extend(self._check_value(label, 'path', name, value, param.get('schema')))
        query = query or {}
        for name, value in query.items():
            param = declared.get(('query', name))
            if param is None:
                same = [n for (where, n) in declared if where == 'query' and n.lower() == name.lower()]
                hint = ' (the spec spells it %r)' % same[0] if same else ''
                problems.append('%s: query: unknown parameter %r%s' % (label, name, hint))
                continue
            schema = self._resolve(param.get('schema')) or {}
            values = value if isinstance(value, (list, tuple)) else [value]
            if len(values) > 1 and schema.get('type') != 'array':
                problems.append('%s: query: %s is given %d times' % (label, name, len(values)))
            for one in values:
                problems.extend(self._check_value(label, 'query', name, str(one), schema))
        for (where, name), param in declared.items():
            if where == 'query' and param.get('required') and name not in query:
                problems.append('%s: query: missing required parameter %r' % (label, name))
        problems.extend(self._check_body(label, method, template, op, content_type, body))
        return problems

    def _check_body(self, label, method, template, op, content_type, body):
        request_body = op.get('requestBody')
        has_body = body not in (None, b'', '')
        if request_body is None:
            if has_body and body.strip() not in (b'{}', '{}'):
                return ['%s: body: the operation takes no request body' % label]
            return []
        if not has_body:
            return ['%s: body: a request body is required' % label] if request_body.get('required') else []
        media = (content_type or '').split(';', 1)[0].strip().lower()
        content = request_body.get('content', {})
        if media not in content:
            return ['%s: body: content type %r is not one of %s' % (label, media, sorted(content))]
        schema = content[media].get('schema', {})
        try:
            raw = body.decode('utf-8') if isinstance(body, bytes) else body
        except UnicodeDecodeError:
            return ['%s: body: not UTF-8' % label]
        if media == 'application/x-www-form-urlencoded':
            instance = self._form(raw, schema)
            if isinstance(instance, str):
                return ['%s: body: %s' % (label, instance)]
        else:
            try:
                instance = json.loads(raw)
            except ValueError as exc:
                return ['%s: body: not JSON (%s)' % (label, exc)]
        validator = self.validator((REQUEST, method, template, media), schema, REQUEST)
        return _problems_of(validator, instance, '%s: body' % label)

    def _form(self, raw, schema):
        """A form body as an object typed after its schema, or a problem string."""
        pairs = parse_qsl(raw, keep_blank_values=True)
        instance = {}
        props = self._resolve(schema).get('properties', {})
        for name, value in pairs:
            if name in instance:
                return 'field %r is given twice' % name
            kind = self._resolve(props.get(name, {})).get('type')
            if kind == 'boolean' and value.lower() in ('true', 'false'):
                instance[name] = value.lower() == 'true'
            elif kind == 'integer' and _INTEGER.match(value):
                instance[name] = int(value)
            else:
                instance[name] = value
        return instance

    # ------------------------------------------------------------------ responses
    def validate_response(self, method, path, status, content_type, body):
        """Problems with a response (an empty list when it follows the spec).

        ``content_type`` and ``body`` both None mean a response without a body; ``body`` None
        with a content type means a body that is not looked at (e.g. a file streamed to the
        client): only its content type is checked.  The path's letter case is the request's
        business, so it is matched case-insensitively here.
        """
        method = method.upper()
        try:
            template, op, _params = self.match(method, path, case_sensitive=False)
        except SpecError as exc:
            return [str(exc)]
        status = int(status)
        label = '%s %s -> %s' % (method, template, status)
        responses = op.get('responses', {})
        key = str(status) if str(status) in responses else '%dXX' % (status // 100)
        if key not in responses:
            if 200 <= status < 300:
                return ['%s: status %s is not documented (documented: %s)' % (label, status, sorted(responses))]
            if 'default' not in responses:
                return ['%s: no documented response for status %s' % (label, status)]
            key = 'default'
        content = responses[key].get('content')
        has_body = body not in (None, b'', '')
        if not content:
            return ['%s: the documented response has no body' % label] if has_body else []
        media = (content_type or '').split(';', 1)[0].strip().lower()
        if not media and not has_body:
            return ['%s: body missing (documented: %s)' % (label, sorted(content))]
        if media not in content:
            if '*/*' not in content:
                return ['%s: content type %r is not one of %s' % (label, media, sorted(content))]
            media = '*/*'
        if body is None or media == 'application/octet-stream':
            return []  # a body that is not looked at (a stream) or bytes of any shape
        if not has_body:
            return ['%s: body missing' % label]
        try:
            instance = json.loads(body.decode('utf-8') if isinstance(body, bytes) else body)
        except ValueError as exc:
            return ['%s: body is not JSON (%s)' % (label, exc)]
        validator = self.validator((RESPONSE, method, template, key, media), content[media].get('schema', {}), RESPONSE)
        return _problems_of(validator, instance, '%s: body' % label)


@functools.lru_cache(maxsize=1)
def default_validator():
    """The validator of the default spec, built once per process."""
    return SpecValidator()


__all__ = ['CONTRACT_PATH', 'SpecError', 'SpecValidator', 'default_validator', 'default_spec_path', 'convert', 'is_uuid',
           'is_date_time', 'FORMATS']

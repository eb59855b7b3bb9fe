"""A small Swagger 2.0 validator (closed schemas) and the indexes of the ECE and Elasticsearch specs.

Strictness (SIMULATOR.md): request schemas are treated as CLOSED. A field the spec does not define, a
wrong type, a missing required field or a value outside an ``enum`` is a spec violation, answered 400.
Choices made where Swagger 2.0 is silent:

* ``null`` is accepted for optional properties and map values of requests: the ECE API documents
  ``null`` as "revert the field to its default" (e.g. ``settings.trust``) and ``{"secrets": {"k": null}}``
  as a keystore deletion. It is never accepted in responses nor for required properties.
* ``readOnly`` properties are rejected in requests (Swagger: "MUST NOT be sent as part of the request"),
  e.g. ``RemoteResourceRef.info`` or ``TrustedCertificate.metadata`` sent back from a GET.
* ``type: object`` without ``properties``/``additionalProperties`` is free-form (any object), except the
  few fields whose description says they also take scalars (``KeystoreSecret.value`` is "either a
  string or a JSON object"; the ``RangeQuery`` bounds).
"""

from __future__ import annotations

import glob
import json
import os
import re

# (definition, property) pairs whose declared ``type: object`` really means "any JSON value".
ANY_VALUE_PROPERTIES = {
    ('KeystoreSecret', 'value'),
    ('RangeQuery', 'gt'), ('RangeQuery', 'gte'), ('RangeQuery', 'lt'), ('RangeQuery', 'lte'),
}

_TYPE_NAMES = {dict: 'object', list: 'array', str: 'string', bool: 'boolean', int: 'integer', float: 'number',
               type(None): 'null'}


def _json_type(value):
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _type_ok(expected, value):
    if expected == 'object':
        return isinstance(value, dict)
    if expected == 'array':
        return isinstance(value, list)
    if expected == 'string':
        return isinstance(value, str)
    if expected == 'boolean':
        return isinstance(value, bool)
    if expected == 'integer':
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == 'number':
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


class SchemaValidator:
    """Validates JSON values against Swagger 2.0 schemas of one document."""

    def __init__(self, document):
        self.document = document
        self.definitions = document.get('definitions', {})

    def resolve(self, schema):
        """Follow ``$ref`` chains; returns (schema, definition name or None)."""
        name = None
        seen = 0
        while isinstance(schema, dict) and '$ref' in schema:
            ref = schema['$ref']
            if not ref.startswith('#/definitions/'):
                raise ValueError('unsupported $ref %s' % ref)
            name = ref[len('#/definitions/'):]
            schema = self.definitions[name]
            seen += 1
            if seen > 50:
                raise ValueError('$ref loop at %s' % ref)
        return schema, name

    def _object_parts(self, schema):
        """Merge ``properties``/``required``/``additionalProperties`` over ``allOf``."""
        schema, dummy = self.resolve(schema)
        props = dict(schema.get('properties', {}))
        required = list(schema.get('required', []))
        additional = schema.get('additionalProperties')
        has_structure = 'properties' in schema or 'additionalProperties' in schema
        for sub in schema.get('allOf', []):
            sub_props, sub_required, sub_additional, sub_structure = self._object_parts(sub)
            props.update(sub_props)
            required.extend(sub_required)
            if sub_additional is not None:
                additional = sub_additional
            has_structure = has_structure or sub_structure
        return props, required, additional, has_structure

    def validate(self, schema, value, path='', mode='request', definition=None):
        """Return a list of error strings (empty = valid). ``mode`` is 'request' or 'response'."""
        errors = []
        self._validate(schema, value, path or '$', mode, errors, definition)
        return errors

    def _validate(self, schema, value, path, mode, errors, definition):
        if len(errors) > 20:
            return
        schema, ref_name = self.resolve(schema)
        definition = ref_name or definition
        if 'allOf' in schema and 'type' not in schema:
            expected = 'object'
        else:
            expected = schema.get('type')
        if expected is None and 'properties' in schema:
            expected = 'object'
        if expected is not None and not _type_ok(expected, value):
            errors.append('%s: expected %s but got %s' % (path, expected, _json_type(value)))
            return
        if 'enum' in schema and value not in schema['enum']:
            errors.append('%s: value [%s] is not one of %s' % (path, value, schema['enum']))
            return
        if expected == 'array':
            items = schema.get('items')
            if items is not None:
                for index, item in enumerate(value):
                    if item is None:
                        errors.append('%s[%d]: null is not allowed in an array' % (path, index))
                        continue
                    self._validate(items, item, '%s[%d]' % (path, index), mode, errors, None)
            return
        if expected == 'object' or (expected is None and isinstance(value, dict)):
            self._validate_object(schema, value, path, mode, errors, definition)

    def _validate_object(self, schema, value, path, mode, errors, definition):
        props, required, additional, has_structure = self._object_parts(schema)
        for name in required:
            if name not in value or value[name] is None:
                errors.append('%s: missing required field [%s]' % (path, name))
        if not has_structure:
            return  # free-form object
        for key, item in value.items():
            child = '%s.%s' % (path, key)
            if key in props:
                prop = props[key]
                if mode == 'request' and prop.get('readOnly'):
                    errors.append('%s: field is read-only and must not be sent' % child)
                    continue
                if item is None:
                    if mode == 'response':
                        errors.append('%s: null is not allowed' % child)
                    continue
                if (definition, key) in ANY_VALUE_PROPERTIES:
                    if not isinstance(item, (str, dict)):
                        errors.append('%s: expected string or object but got %s' % (child, _json_type(item)))
                    continue
                self._validate(prop, item, child, mode, errors, None)
            elif isinstance(additional, dict):
                if item is None:
                    if mode == 'response':
                        errors.append('%s: null is not allowed' % child)
                    continue
                self._validate(additional, item, child, mode, errors, None)
            elif additional is True:
                continue
            else:
                errors.append('%s: unknown field [%s]' % (path, key))


def _template_regex(template):
    parts = re.split(r'(\{[^}]+\})', template)
    regex = ''
    names = []
    for part in parts:
        if part.startswith('{') and part.endswith('}'):
            names.append(part[1:-1])
            regex += '([^/]+)'
        else:
            regex += re.escape(part)
    return re.compile('^' + regex + '$'), names


class EceSpec:
    """Operations of the ECE Swagger document (``ece/apidocs.json``)."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as handle:
            self.document = json.load(handle)
        self.validator = SchemaValidator(self.document)
        self.base_path = self.document.get('basePath', '/api/v1')
        self.operations = []
        for template, item in self.document.get('paths', {}).items():
            regex, names = _template_regex(template)
            # literal templates first so /deployments/_search wins over /deployments/{deployment_id}
            literal = template.count('{')
            for method, op in item.items():
                if method == 'parameters':
                    continue
                self.operations.append((literal, regex, names, method.upper(), template, op))
        self.operations.sort(key=lambda entry: entry[0])

    def find(self, method, path):
        """(operation dict, template, path params) for a path relative to the base path, or (None, None, None)."""
        for dummy, regex, names, op_method, template, op in self.operations:
            if op_method != method:
                continue
            match = regex.match(path)
            if match:
                return op, template, dict(zip(names, match.groups()))
        return None, None, None

    def response_schema(self, method, path, status):
        op, dummy, dummy2 = self.find(method, path)
        if op is None:
            return None
        response = op.get('responses', {}).get(str(status))
        return response.get('schema') if response else None

    def validate_request(self, op, query, body, has_body):
        """Spec violations of a request (query parameter types and the body schema)."""
        errors = []
        body_param = None
        for param in op.get('parameters', []):
            where = param.get('in')
            if where == 'body':
                body_param = param
            elif where == 'query' and param['name'] in query:
                raw = query[param['name']]
                ptype = param.get('type')
                if ptype == 'boolean' and raw not in ('true', 'false'):
                    errors.append('query parameter [%s]: expected boolean but got [%s]' % (param['name'], raw))
                elif ptype == 'integer' and not re.match(r'^-?\d+$', raw or ''):
                    errors.append('query parameter [%s]: expected integer but got [%s]' % (param['name'], raw))
                elif 'enum' in param and raw not in param['enum']:
                    errors.append('query parameter [%s]: value [%s] is not one of %s' % (param['name'], raw, param['enum']))
        if body_param is None:
            if has_body and body not in (None, {}):
                errors.append('this operation takes no request body')
            return errors
        if not has_body:
            if body_param.get('required'):
                errors.append('request body is required')
            return errors
        errors.extend(self.validator.validate(body_param.get('schema', {}), body, '$', 'request'))
        return errors


COMMON_ES_PARAMS = ('pretty', 'human', 'error_trace', 'filter_path')


class EsRestSpec:
    """Paths, methods and parameters of the Elasticsearch ``rest-api-spec`` JSON files."""

    def __init__(self, directory):
        self.apis = {}
        self.routes = []
        for path in sorted(glob.glob(os.path.join(directory, '*.json'))):
            if os.path.basename(path).startswith('_'):
                continue
            with open(path, encoding='utf-8') as handle:
                data = json.load(handle)
            for name, api in data.items():
                params = set(api.get('params', {}))
                self.apis[name] = {'params': params, 'paths': [], 'body': api.get('body')}
                for entry in api.get('url', {}).get('paths', []):
                    regex, dummy = _template_regex(entry['path'])
                    methods = [method.upper() for method in entry['methods']]
                    self.apis[name]['paths'].append((entry['path'], methods))
                    self.routes.append((regex, entry['path'], methods, name))

    def match(self, method, path):
        """(api name, allowed methods) for a path: name is None when the method is not allowed there."""
        allowed = []
        for regex, dummy, methods, name in self.routes:
            if regex.match(path):
                if method in methods:
                    return name, methods
                allowed.extend(methods)
        return None, allowed

    def params(self, api_name):
        return set(self.apis.get(api_name, {}).get('params', ())) | set(COMMON_ES_PARAMS)


SPECS_MISSING = (
    "the official API specs are not available (they are not part of the repository): put the ECE API's Swagger document "
    "at DIR/ece/apidocs.json (api/apidocs.json of github.com/elastic/cloud-sdk-go) and Elasticsearch's REST API specs in "
    "DIR/elasticsearch/rest-api-spec-main/ (rest-api-spec/src/main/resources/rest-api-spec/api of "
    "github.com/elastic/elasticsearch), and set ECE_SIM_SPEC_DIR=DIR (default: shared/specs beside the checkout)")


def specs_missing(looked_in=None):
    """Why a test that needs the specs cannot run, and how to make it run (its skip reason, or its failure in CI)."""
    return SPECS_MISSING + ('; looked in %s' % looked_in if looked_in else '')


def find_spec_dir(start=None):
    """The shared specs directory: $ECE_SIM_SPEC_DIR, else <repo root>/../shared/specs, else None."""
    env = os.environ.get('ECE_SIM_SPEC_DIR')
    if env:
        return env if os.path.isdir(env) else None
    here = os.path.abspath(start or os.path.dirname(__file__))
    repo_root = os.path.abspath(os.path.join(here, '..', '..', '..'))
    candidate = os.path.join(os.path.dirname(repo_root), 'shared', 'specs')
    if os.path.isfile(os.path.join(candidate, 'ece', 'apidocs.json')):
        return candidate
    return None


class SpecSet:
    """Both specs loaded from a spec directory (``ece/apidocs.json``, ``elasticsearch/rest-api-spec-main``)."""

    def __init__(self, spec_dir):
        self.spec_dir = os.path.abspath(spec_dir)
        ece_path = os.path.join(self.spec_dir, 'ece', 'apidocs.json')
        es_dir = os.path.join(self.spec_dir, 'elasticsearch', 'rest-api-spec-main')
        if not os.path.isfile(ece_path):
            raise FileNotFoundError('ECE spec not found: %s' % ece_path)
        if not os.path.isdir(es_dir):
            raise FileNotFoundError('Elasticsearch rest-api-spec not found: %s' % es_dir)
        self.ece = EceSpec(ece_path)
        self.es = EsRestSpec(es_dir)

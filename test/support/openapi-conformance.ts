// Response conformance against the official ecomm v2 OpenAPI (spec/ecom-v2-swagger.yaml): every answer of an ecomm
// operation must match the schema the spec documents for its status (200, or `default`: the Vipps error body).
// MerchantClient checks every /ecomm/ answer with it, so each HTTP test that exercises an endpoint also checks the shape.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { IN_CI } from './requirements.ts';
import { specFile } from './spec-files.ts';

type Json = Record<string, any>;

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);
// ajv-formats is CommonJS with a default export; under ESM the function may sit one level down.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/**
 * Where the real platform departs from the spec, the real platform wins (merchants' code is written against it):
 * each allowed departure is named here with its source, and only the exact value it allows passes.
 */
const REAL_PLATFORM_DEPARTURES: Array<{ instancePath: RegExp; value: unknown }> = [
  {
    // The API guide: "The personal information shared with the merchant is available for 7 days after reservation.
    // After this, all customer information will be replaced with "[Expired]"". The schema's mobileNumber (^\d{8}$)
    // was written for live data and does not allow it.
    instancePath: /^\/userDetails\/mobileNumber$/,
    value: '[Expired]',
  },
];

function valueAt(body: unknown, instancePath: string): unknown {
  return instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], body);
}

interface SpecOperation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Json;
}

interface LoadedSpec {
  doc: Json;
  operations: SpecOperation[];
  ajv: Ajv;
  validators: Map<string, ValidateFunction | null>;
}

/** undefined: not read yet; null: the file is missing outside CI, so answers go unchecked (said once, plainly). */
let loaded: LoadedSpec | null | undefined;

function spec(): LoadedSpec | null {
  if (loaded !== undefined) return loaded;
  const file = specFile('ecom-v2-swagger.yaml');
  if (!existsSync(file)) {
    const reason = `${file} is missing (set KASSE_VIPPS_SPEC_DIR)`;
    if (IN_CI) throw new Error(`response conformance: ${reason}; CI=true checks every answer`);
    console.log(`SKIPPED — response conformance checks: ${reason}.`);
    return (loaded = null);
  }
  const doc = parse(readFileSync(file, 'utf8')) as Json;
  const operations = Object.entries<Json>(doc.paths ?? {})
    .filter(([template]) => template.toLowerCase().startsWith('/ecomm/'))
    .flatMap(([template, item]) =>
      Object.entries<Json>(item)
        .filter(([method]) => HTTP_METHODS.has(method))
        .map(([method, operation]) => ({
          method: method.toUpperCase(),
          template,
          // Paths are matched as Kasse routes them: case-insensitive, with an optional trailing slash.
          pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i'),
          responses: operation.responses as Json,
        })),
    );
  // OpenAPI 3.0 schemas carry `example`, `nullable` and friends: not strict JSON Schema, so strict mode is off.
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  loaded = { doc, operations, ajv, validators: new Map() };
  return loaded;
}

/** The spec's operation for a request, or undefined when the spec has none (then there is nothing to check). */
export function specOperation(method: string, path: string): SpecOperation | undefined {
  const pathOnly = path.split('?')[0] ?? path;
  return spec()?.operations.find((op) => op.method === method.toUpperCase() && op.pattern.test(pathOnly));
}

function resolveRef(doc: Json, node: Json): Json {
  let current = node;
  for (let hops = 0; typeof current?.$ref === 'string'; hops++) {
    assert.ok(hops < 20, 'no $ref cycles');
    current = (current.$ref as string)
      .slice(2)
      .split('/')
      .reduce<Json>((object, key) => object?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return current;
}

/** The validator for (operation, status): null when the documented response has no body. */
function validatorFor(op: SpecOperation, status: number): ValidateFunction | null {
  const loadedSpec = spec();
  assert.ok(loadedSpec, 'an operation was found, so the spec is loaded');
  const { doc, ajv, validators } = loadedSpec;
  const documented = op.responses[String(status)] ?? op.responses.default;
  assert.ok(documented, `${op.method} ${op.template}: the spec documents no ${status} answer and no default`);
  const key = `${op.method} ${op.template} ${op.responses[String(status)] ? status : 'default'}`;
  if (!validators.has(key)) {
    const response = resolveRef(doc, documented);
    const schema = Object.values<Json>(response.content ?? {})[0]?.schema as Json | undefined;
    // The schema's local $refs (#/components/…) resolve against a root that carries the spec's components.
    validators.set(key, schema ? ajv.compile({ ...schema, components: doc.components }) : null);
  }
  return validators.get(key) ?? null;
}

/** The statuses checked so far per spec operation ("POST /ecomm/v2/payments" → {200, 400, …}), for coverage checks. */
export const checkedStatuses = new Map<string, Set<number>>();

/** Every ecomm operation of the spec, as "METHOD /path/{param}", with the response keys it documents. */
export function specOperations(): Array<{ operation: string; documented: string[] }> {
  return (spec()?.operations ?? []).map((op) => ({ operation: `${op.method} ${op.template}`, documented: Object.keys(op.responses) }));
}

/** Where a body departs from the spec's schema for this answer: [] when it conforms. */
export function specViolations(method: string, path: string, status: number, body: unknown): string[] {
  const op = specOperation(method, path);
  if (!op) return [];
  const operation = `${op.method} ${op.template}`;
  checkedStatuses.set(operation, (checkedStatuses.get(operation) ?? new Set()).add(status));
  const validate = validatorFor(op, status);
  if (!validate || validate(body)) return [];
  return (validate.errors ?? [])
    .filter((e) => !REAL_PLATFORM_DEPARTURES.some((d) => d.instancePath.test(e.instancePath) && valueAt(body, e.instancePath) === d.value))
    .map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Fails when an answer to an ecomm operation does not match the schema the official spec documents for its status. */
export function assertConformsToSpec(method: string, path: string, status: number, body: unknown): void {
  const violations = specViolations(method, path, status, body);
  assert.deepEqual(violations, [], `${method} ${path} answered ${status} with a body the official spec does not allow: ${JSON.stringify(body)}`);
}

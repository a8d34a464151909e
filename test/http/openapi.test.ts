// Goal: the OpenAPI document Kasse generates at /_kasse/docs/json covers every ecomm v2 operation of the official spec with the same required request fields, and Swagger UI answers; method: parse the official YAML and compare with the served JSON over real HTTP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { httpRequest } from '../support/merchant-client.ts';
import { specFile, specSkip } from '../support/spec-files.ts';

const ECOM_SPEC = specFile('ecom-v2-swagger.yaml');
const ACCESS_TOKEN_SPEC = specFile('access-token-swagger.yaml');
const skip = specSkip('ecom-v2-swagger.yaml', 'access-token-swagger.yaml');
const REPORT_SPEC = specFile('report/report-api-swagger.yaml');
const reportSkip = specSkip('report/report-api-swagger.yaml');

type Json = Record<string, any>;
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

let kasse: TestKasse;
let served: Json;
before(async () => {
  kasse = await startTestKasse({ startJobs: false });
  const result = await httpRequest(`${kasse.baseUrl}/_kasse/docs/json`);
  assert.equal(result.status, 200, result.text);
  served = result.body as Json;
});
after(() => kasse.close());

const parsedSpecs = new Map<string, Json>();
/** Parsed once per file: the YAML parser takes a noticeable fraction of a second. */
function loadSpec(file: string): Json {
  let spec = parsedSpecs.get(file);
  if (!spec) parsedSpecs.set(file, (spec = parse(readFileSync(file, 'utf8')) as Json));
  return spec;
}

/** Follows local `$ref`s (#/components/…); the spec's merchant-side paths point into another file and are not followed. */
function resolve(doc: Json, node: unknown): Json | undefined {
  let current = node as Json | undefined;
  for (let hops = 0; current && typeof current === 'object' && typeof current.$ref === 'string'; hops++) {
    assert.ok(hops < 20, 'no $ref cycles');
    const ref: string = current.$ref;
    assert.ok(ref.startsWith('#/'), `only local refs are followed: ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .reduce<Json | undefined>((object, key) => object?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return current;
}

/**
 * Every required field of a request-body schema as a dotted path ("merchantInfo.callbackPrefix"):
 * a path is listed when its last segment is in its parent object's `required`, whether or not the parent is.
 */
function requiredPaths(doc: Json, node: unknown, prefix = '', out = new Set<string>(), depth = 0): Set<string> {
  const schema = resolve(doc, node);
  if (!schema || depth > 8) return out;
  for (const combinator of ['allOf', 'anyOf', 'oneOf']) for (const sub of schema[combinator] ?? []) requiredPaths(doc, sub, prefix, out, depth + 1);
  if (schema.items) requiredPaths(doc, schema.items, `${prefix}[].`, out, depth + 1);
  for (const name of schema.required ?? []) out.add(`${prefix}${name}`);
  for (const [name, property] of Object.entries<unknown>(schema.properties ?? {})) requiredPaths(doc, property, `${prefix}${name}.`, out, depth + 1);
  return out;
}

function requestBodySchema(doc: Json, operation: Json): unknown {
  const body = resolve(doc, operation.requestBody);
  if (!body) return undefined;
  const media = Object.values<Json>(body.content ?? {})[0];
  return media?.schema;
}

/** (path, method) pairs under /ecomm/ in a spec, path parameters in OpenAPI form. */
function ecommOperations(doc: Json): Array<{ path: string; method: string; operation: Json }> {
  return Object.entries<Json>(doc.paths ?? {})
    .filter(([path]) => path.toLowerCase().startsWith('/ecomm/'))
    .flatMap(([path, item]) =>
      Object.entries<Json>(item)
        .filter(([method]) => HTTP_METHODS.has(method))
        .map(([method, operation]) => ({ path, method, operation })),
    );
}

function servedOperation(path: string, method: string): Json | undefined {
  return served.paths?.[path]?.[method];
}

test('the served document is OpenAPI 3 and lists the ecomm v2 API', { skip }, () => {
  assert.match(String(served.openapi), /^3\./);
  assert.ok(served.paths && typeof served.paths === 'object');
  assert.ok(ecommOperations(served).length >= 7);
});

test('every ecomm v2 path and method of the official spec is served', { skip }, () => {
  const official = ecommOperations(loadSpec(ECOM_SPEC));
  assert.deepEqual(
    official.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort(),
    [
      'GET /ecomm/v2/payments/{orderId}/details',
      'GET /ecomm/v2/payments/{orderId}/status',
      'POST /ecomm/v2/integration-test/payments/{orderId}/approve',
      'POST /ecomm/v2/payments',
      'POST /ecomm/v2/payments/{orderId}/capture',
      'POST /ecomm/v2/payments/{orderId}/refund',
      'PUT /ecomm/v2/payments/{orderId}/cancel',
    ],
    'the extraction found the seven ecomm operations of the spec',
  );
  for (const { path, method } of official) {
    assert.ok(servedOperation(path, method), `${method.toUpperCase()} ${path} is in /_kasse/docs/json`);
  }
  // And nothing under /ecomm/ that the spec does not have.
  const officialKeys = new Set(official.map((o) => `${o.method} ${o.path}`));
  for (const { path, method } of ecommOperations(served)) assert.ok(officialKeys.has(`${method} ${path}`), `${method} ${path} is in the spec`);
});

test('the access-token endpoint of the official spec is served', { skip }, () => {
  // The file also describes /miami/v1/token, which only newer APIs use; ecomm v2 clients call /accesstoken/get.
  const official = loadSpec(ACCESS_TOKEN_SPEC);
  assert.ok(official.paths['/accesstoken/get']?.post, 'the spec has POST /accesstoken/get');
  assert.ok(servedOperation('/accesstoken/get', 'post'), 'POST /accesstoken/get is served');
});

test('the orderId path parameter is declared on every ecomm operation that has one', { skip }, () => {
  for (const { path, method, operation } of ecommOperations(served)) {
    if (!path.includes('{orderId}')) continue;
    const parameters: Json[] = operation.parameters ?? [];
    const orderId = parameters.find((p) => p.in === 'path' && p.name === 'orderId');
    assert.ok(orderId, `${method} ${path} declares orderId`);
    assert.equal(orderId.required, true);
  }
  for (const path of ['/ecomm/v2/payments/{orderId}/capture', '/ecomm/v2/payments/{orderId}/refund']) {
    const parameters: Json[] = servedOperation(path, 'post')?.parameters ?? [];
    assert.ok(
      parameters.some((p) => p.in === 'header' && String(p.name).toLowerCase() === 'x-request-id'),
      `${path} documents X-Request-Id`,
    );
  }
});

/**
 * Where Kasse requires more than the spec's schema, and why: the spec's PaymentActionsRequest has no top-level
 * `required`, yet the nested merchantSerialNumber and transactionText are required, so a body without
 * merchantInfo or transaction cannot be valid on the real platform either.
 */
const KASSE_ALSO_REQUIRES: Record<string, readonly string[]> = {
  'post /ecomm/v2/payments/{orderId}/capture': ['merchantInfo', 'transaction'],
  'post /ecomm/v2/payments/{orderId}/refund': ['merchantInfo', 'transaction'],
};

const ACTIONS = [
  ['post', '/ecomm/v2/payments'],
  ['post', '/ecomm/v2/payments/{orderId}/capture'],
  ['post', '/ecomm/v2/payments/{orderId}/refund'],
  ['put', '/ecomm/v2/payments/{orderId}/cancel'],
] as const;

for (const [method, path] of ACTIONS) {
  test(`${method.toUpperCase()} ${path} requires exactly the request fields the spec requires`, { skip }, () => {
    const spec = loadSpec(ECOM_SPEC);
    const specOperation = spec.paths[path]?.[method] as Json;
    const ours = servedOperation(path, method);
    assert.ok(ours, 'served');
    const expected = [...requiredPaths(spec, requestBodySchema(spec, specOperation))]
      .concat(KASSE_ALSO_REQUIRES[`${method} ${path}`] ?? [])
      .sort();
    const actual = [...requiredPaths(served, requestBodySchema(served, ours))].sort();
    assert.ok(expected.length > 0, 'the spec requires something');
    assert.deepEqual(actual, expected);
  });
}

test('Swagger UI answers at /_kasse/docs', async () => {
  const response = await fetch(`${kasse.baseUrl}/_kasse/docs`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  const html = await response.text();
  assert.match(html, /Swagger UI/);
  const initializer = await fetch(`${kasse.baseUrl}/_kasse/docs/static/swagger-initializer.js`);
  assert.equal(initializer.status, 200);
  assert.match(await initializer.text(), /json/);
});

/** The Report API's operations of a document: its paths under /settlement/ and /report/. */
function reportOperations(doc: Json): Array<{ path: string; method: string; operation: Json }> {
  return Object.entries<Json>(doc.paths ?? {})
    .filter(([path]) => /^\/(settlement|report)\//.test(path))
    .flatMap(([path, item]) =>
      Object.entries<Json>(item)
        .filter(([method]) => HTTP_METHODS.has(method))
        .map(([method, operation]) => ({ path, method, operation })),
    );
}

function parameterNames(doc: Json, operation: Json, where: string): string[] {
  return (operation.parameters ?? [])
    .map((p: unknown) => resolve(doc, p))
    .filter((p: Json | undefined) => p?.in === where)
    .map((p: Json) => String(p.name))
    .sort();
}

test('the Report API: every path and method of the official spec is served, and nothing else under its prefixes', { skip: reportSkip }, () => {
  const spec = loadSpec(REPORT_SPEC);
  const official = reportOperations(spec).map((o) => `${o.method} ${o.path}`).sort();
  assert.deepEqual(official, [
    'get /report/v1/ledgertransactions',
    'get /report/v2/ledgers/{ledgerId}/{topic}/dates/{ledgerDate}',
    'get /report/v2/ledgers/{ledgerId}/{topic}/feed',
    'get /settlement/v1/ledgers',
  ]);
  assert.deepEqual(reportOperations(served).map((o) => `${o.method} ${o.path}`).sort(), official);
});

test('the Report API: the same path parameters, and every query parameter of the spec', { skip: reportSkip }, () => {
  const spec = loadSpec(REPORT_SPEC);
  for (const { path, method, operation } of reportOperations(spec)) {
    const mine = servedOperation(path, method)!;
    assert.deepEqual(parameterNames(served, mine, 'path'), parameterNames(spec, operation, 'path'), `${path} path parameters`);
    const servedQuery = new Set(parameterNames(served, mine, 'query'));
    for (const name of parameterNames(spec, operation, 'query')) assert.ok(servedQuery.has(name), `${method} ${path} takes ?${name}`);
  }
});

test('the Report API: the served 200 bodies have every property of the spec’s (Transaction and Ledger included)', { skip: reportSkip }, () => {
  const spec = loadSpec(REPORT_SPEC);
  const propertiesOf = (doc: Json, node: unknown, prefix = ''): string[] => {
    const schema = resolve(doc, node);
    if (!schema) return [];
    const nested = schema.items ? propertiesOf(doc, schema.items, `${prefix}[].`) : [];
    return [
      ...nested,
      ...Object.entries<unknown>(schema.properties ?? {}).flatMap(([name, property]) => [`${prefix}${name}`, ...propertiesOf(doc, property, `${prefix}${name}.`)]),
    ];
  };
  for (const { path, method, operation } of reportOperations(spec)) {
    const official = propertiesOf(spec, Object.values<Json>(resolve(spec, operation.responses['200'])!.content)[0]!.schema);
    const mine = new Set(propertiesOf(served, Object.values<Json>(servedOperation(path, method)!.responses['200'].content)[0]!.schema));
    assert.ok(official.length > 2, `${path}: the spec's 200 body was found`);
    assert.deepEqual(official.filter((name) => !mine.has(name)), [], `${method} ${path}`);
  }
});

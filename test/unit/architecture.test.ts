// Goal: the layering and time rules of docs/ARCHITECTURE.md hold. Method: read the sources and check imports
// and forbidden calls, so a violation fails the suite instead of waiting for a reviewer.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');
}

function codeOf(file: string): string {
  // Comments may mention forbidden calls when explaining why they are forbidden.
  return readFileSync(join(root, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

test('the domain imports nothing but the domain and node built-ins', () => {
  for (const file of sources('src/domain')) {
    for (const spec of importsOf(file)) {
      assert.ok(spec.startsWith('./') || spec.startsWith('node:'), `${file} imports ${spec}`);
    }
  }
});

/** The file an import points at, relative to the project root (undefined for packages and node built-ins). */
function resolved(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return relative(root, join(root, dirname(file), spec));
}

test('the core imports no channel, no transport, no jobs, no runtime and no web framework', () => {
  for (const file of sources('src/core')) {
    for (const spec of importsOf(file)) {
      const target = resolved(file, spec) ?? spec;
      assert.ok(!/^src\/(channels|http|jobs|outbound|runtime)\//.test(target), `${file} imports ${spec}`);
      assert.ok(!/fastify/.test(spec), `${file} imports ${spec}`);
    }
  }
});

test('channels reach the data only through the core: no store repositories, no database handle', () => {
  for (const file of sources('src/channels')) {
    for (const spec of importsOf(file)) {
      const target = resolved(file, spec) ?? spec;
      assert.ok(!/^src\/store\/(repos\/|db\.ts|dialect\.ts)/.test(target), `${file} imports ${spec}`);
      assert.ok(!/^src\/(http|jobs)\//.test(target), `${file} imports ${spec}`);
    }
  }
});

test('SQL is written only under src/store', () => {
  for (const file of sources('src')) {
    if (file.startsWith(join('src', 'store'))) continue;
    const code = codeOf(file);
    assert.ok(!/\bsql`|\.(selectFrom|updateTable|insertInto|deleteFrom)\(/.test(code), `${file} writes SQL`);
    assert.ok(!/import \{[^}]*\bsql\b[^}]*\} from 'kysely'/.test(code), `${file} imports kysely's sql`);
  }
});

test('no import cycle anywhere in src/', () => {
  const graph = new Map<string, string[]>();
  for (const file of sources('src')) {
    graph.set(file, importsOf(file).flatMap((spec) => resolved(file, spec) ?? []).filter((target) => target.endsWith('.ts')));
  }
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (file: string): void => {
    const at = onPath.indexOf(file);
    assert.ok(at === -1, `import cycle: ${[...onPath.slice(at), file].join(' → ')}`);
    if (done.has(file)) return;
    onPath.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    onPath.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
});

test('threads are started only under src/runtime, and channels call the write use cases by name, never directly', () => {
  for (const file of sources('src')) {
    if (!file.startsWith(join('src', 'runtime'))) assert.ok(!importsOf(file).includes('node:worker_threads'), `${file} imports node:worker_threads`);
  }
  // A channel that imported a write use case would run it in the main thread beside the use-case worker’s writes.
  for (const file of sources('src/channels')) {
    const code = codeOf(file);
    for (const useCase of ['initiatePayment', 'capturePayment', 'refundPayment', 'cancelPayment', 'forceApprove']) {
      assert.ok(!new RegExp(`\\b${useCase}\\(`).test(code), `${file} calls ${useCase} directly instead of runUseCase`);
    }
  }
});

test('only src/clock.ts reads the wall clock', () => {
  for (const file of sources('src')) {
    if (file === join('src', 'clock.ts')) continue;
    const code = codeOf(file);
    assert.ok(!/Date\.now\(\)/.test(code), `${relative(root, join(root, file))} calls Date.now()`);
    assert.ok(!/new Date\(\)/.test(code), `${file} calls new Date() without a timestamp`);
  }
});

test('no code updates or deletes ledger lines, operation-log rows or audit-log entries', () => {
  for (const file of sources('src')) {
    const code = codeOf(file);
    for (const table of ['ledger_line', 'payment_operation', 'audit_log']) {
      assert.ok(!code.includes(`updateTable('${table}')`), `${file} updates ${table}`);
      assert.ok(!code.includes(`deleteFrom('${table}')`), `${file} deletes from ${table}`);
    }
  }
});

test('engine-specific SQL lives only in src/store/dialect.ts', () => {
  for (const file of sources('src')) {
    if (file === join('src', 'store', 'dialect.ts')) continue;
    const code = codeOf(file);
    assert.ok(!/SKIP LOCKED|better-sqlite3|from 'pg'/.test(code), `${file} has engine-specific code`);
  }
});

/** Browser libraries web/src may bundle (esbuild puts them in the page's bundle; no CDN): the portal's chart. */
const BROWSER_PACKAGES = new Set(['chart.js']);

test('src/shared and web/ import no server code: only src/shared, web/ itself, the listed browser libraries and nothing from node', () => {
  const webSources = (dir: string): string[] =>
    readdirSync(join(root, dir)).flatMap((name) => {
      const path = join(dir, name);
      return statSync(join(root, path)).isDirectory() ? webSources(path) : name.endsWith('.ts') ? [path] : [];
    });
  for (const file of [...sources('src/shared'), ...webSources('web/src')]) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const spec of [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom '([^']+)'/gms)].map((m) => m[1] ?? '')) {
      if (file.startsWith(join('web', 'src')) && BROWSER_PACKAGES.has(spec)) continue;
      const target = join(file, '..', spec);
      assert.ok(spec.startsWith('.'), `${file} imports the package ${spec}`);
      assert.ok(target.startsWith(join('src', 'shared')) || target.startsWith(join('web', 'src')), `${file} imports ${spec}`);
    }
  }
});

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** The browser code: one bundle per page that has any, each from its entry module under web/src. */
export const BUNDLE_ENTRIES = {
  'app.js': 'app/main.ts',
  'landing.js': 'landing.ts',
  'callbacks.js': 'callbacks.ts',
  'portal.js': 'portal/main.ts',
  'console.js': 'console/main.ts',
} as const;

export type BundleName = keyof typeof BUNDLE_ENTRIES;

export interface Bundle {
  code: string;
  /** Strong validator: the hash of the code. */
  etag: string;
}

const WEB_SOURCE = fileURLToPath(new URL('../../../web/src/', import.meta.url));

let built: Promise<ReadonlyMap<BundleName, Bundle>> | undefined;

/**
 * Compiles and bundles web/src with esbuild into memory, once per process (every server of a test process shares
 * the result): nothing is written to disk, so a fresh clone needs no build step and parallel test processes never
 * race over an output folder. A type error does not stop esbuild; `tsc -p web` (part of npm test) catches those.
 */
export function browserBundles(): Promise<ReadonlyMap<BundleName, Bundle>> {
  built ??= buildAll();
  return built;
}

async function buildAll(): Promise<ReadonlyMap<BundleName, Bundle>> {
  const names = Object.keys(BUNDLE_ENTRIES) as BundleName[];
  const result = await build({
    entryPoints: names.map((name) => ({ in: WEB_SOURCE + BUNDLE_ENTRIES[name], out: name.replace(/\.js$/, '') })),
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    outdir: '/',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const bundles = new Map<BundleName, Bundle>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1) as BundleName;
    const code = file.text;
    bundles.set(name, { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"` });
  }
  return bundles;
}

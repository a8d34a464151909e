// The official Vipps files the conformance tests read: vendored in spec/ (spec/README.md names each one's source);
// KASSE_VIPPS_SPEC_DIR may point at another copy.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipUnless } from './requirements.ts';

export const SPEC_DIR = process.env.KASSE_VIPPS_SPEC_DIR ?? fileURLToPath(new URL('../../spec/', import.meta.url));

/** The path of an official file, e.g. specFile('ecom-v2-swagger.yaml'). */
export function specFile(name: string): string {
  return join(SPEC_DIR, name);
}

/**
 * The `skip` option of a suite that reads these official files: false when all are there. Call it at the top level of
 * the test file: under CI=true a missing file fails the run instead of skipping the suite.
 */
export function specSkip(...names: string[]): string | false {
  const missing = names.filter((name) => !existsSync(specFile(name)));
  return skipUnless(`the official files ${names.join(', ')}`, missing.length === 0 ? null : `${missing.join(', ')} not found in ${SPEC_DIR} (set KASSE_VIPPS_SPEC_DIR)`);
}

// Goal: `engines` in package.json tells the truth. Every package the lockfile installs must accept the oldest Node
// that Kasse claims to support, so `npm install` on Node 20 prints no EBADENGINE warning (cookie@2 via
// light-my-request once needed Node >= 22 while Kasse said >= 20.19).
// Method: read package-lock.json and check each package's engines.node range against engines.node's minimum.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import semver from 'semver';

const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

test('every locked package accepts the oldest Node that package.json engines allows', () => {
  const oldest = semver.minVersion(manifest.engines.node);
  assert.ok(oldest, `engines.node ${manifest.engines.node} has a minimum`);
  assert.ok(semver.satisfies(process.version, manifest.engines.node), `this Node (${process.version}) is one Kasse claims to support`);
  const refusing = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && !Array.isArray(entry.engines) && entry.engines?.node !== undefined)
    .filter(([, entry]) => !semver.satisfies(oldest, (entry.engines as { node: string }).node, { includePrerelease: true }))
    .map(([path, entry]) => `${path}@${entry.version}: node ${(entry.engines as { node: string }).node}`);
  assert.deepEqual(refusing, [], `packages that refuse Node ${oldest.version}`);
});

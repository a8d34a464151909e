// Goal: KASSE_USE_CASE_WORKER reads as documented in the README (auto by default, on, off) and a typo stops Kasse at
// start instead of quietly choosing. Method: loadConfig on hand-made environments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';

test('KASSE_USE_CASE_WORKER: auto when unset or empty, on and off as given, anything else refused naming the variable', () => {
  assert.equal(loadConfig({}).useCaseWorker, 'auto');
  assert.equal(loadConfig({ KASSE_USE_CASE_WORKER: '' }).useCaseWorker, 'auto');
  for (const value of ['auto', 'on', 'off'] as const) assert.equal(loadConfig({ KASSE_USE_CASE_WORKER: value }).useCaseWorker, value);
  for (const value of ['1', 'true', 'ON', 'yes']) assert.throws(() => loadConfig({ KASSE_USE_CASE_WORKER: value }), /KASSE_USE_CASE_WORKER must be auto, on or off/);
});

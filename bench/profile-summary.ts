/**
 * Summarise a V8 .cpuprofile (node --cpu-prof): where the self time went, by function and by origin
 * (Kasse's own files, each npm package, node internals, GC, idle).
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [skipMs]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  busyMs: number;
  functions: Array<{ name: string; where: string; origin: string; selfMs: number; share: number }>;
  origins: Array<{ origin: string; selfMs: number; share: number }>;
  /** Inclusive time of Kasse's own functions (time with the function on the stack). */
  inclusive: Array<{ name: string; where: string; totalMs: number; share: number }>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function originOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8/native (program)';
  if (url === '') return 'native';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return `npm ${pkg[1]}`;
  const rel = relative(ROOT, path);
  if (rel.startsWith('src/')) return 'kasse src';
  return rel;
}

function whereOf(url: string, line: number): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = path.startsWith(ROOT) ? relative(ROOT, path) : path;
  return `${rel.replace(/^node_modules\//, '')}:${line + 1}`;
}

/** `skipMs`: leave out the first milliseconds of the profile (startup: module loading, migrations). */
export function summariseProfile(file: string, skipMs = 0): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  let at = profile.startTime;
  const from = profile.startTime + skipMs * 1000;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from) continue;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const totalMs = (profile.endTime - Math.max(profile.startTime, from)) / 1000;
  const functions = new Map<string, { name: string; where: string; origin: string; selfMs: number }>();
  const origins = new Map<string, number>();
  const inclusive = new Map<string, { name: string; where: string; totalMs: number }>();
  let idleMs = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const origin = originOf(url, name);
    if (origin === 'idle') idleMs += ms;
    const key = `${name}@${url}:${lineNumber}`;
    const entry = functions.get(key) ?? { name, where: whereOf(url, lineNumber), origin, selfMs: 0 };
    entry.selfMs += ms;
    functions.set(key, entry);
    origins.set(origin, (origins.get(origin) ?? 0) + ms);
    // Inclusive time of Kasse's functions: walk up the stack once per distinct frame.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (originOf(frame.url, frame.functionName) !== 'kasse src') continue;
      const k = `${frame.functionName || '(anonymous)'}@${frame.url}:${frame.lineNumber}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const inc = inclusive.get(k) ?? { name: frame.functionName || '(anonymous)', where: whereOf(frame.url, frame.lineNumber), totalMs: 0 };
      inc.totalMs += ms;
      inclusive.set(k, inc);
    }
  }
  const busyMs = totalMs - idleMs;
  const share = (ms: number) => Math.round((ms / busyMs) * 1000) / 10;
  const round = (ms: number) => Math.round(ms);
  return {
    file,
    totalMs: round(totalMs),
    busyMs: round(busyMs),
    functions: [...functions.values()]
      .filter((f) => f.origin !== 'idle')
      .sort((a, b) => b.selfMs - a.selfMs)
      .map((f) => ({ ...f, selfMs: round(f.selfMs), share: share(f.selfMs) })),
    origins: [...origins.entries()]
      .filter(([o]) => o !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .map(([origin, ms]) => ({ origin, selfMs: round(ms), share: share(ms) })),
    inclusive: [...inclusive.values()].sort((a, b) => b.totalMs - a.totalMs).map((f) => ({ ...f, totalMs: round(f.totalMs), share: share(f.totalMs) })),
  };
}

export function formatProfileSummary(summary: ProfileSummary, top = 25): string {
  const lines = [`profiled ${summary.totalMs} ms, busy (not idle) ${summary.busyMs} ms; shares are of busy time`, '', 'self time by origin:'];
  for (const o of summary.origins.slice(0, 15)) lines.push(`  ${String(o.share).padStart(5)}%  ${String(o.selfMs).padStart(7)} ms  ${o.origin}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const f of summary.functions.slice(0, top)) lines.push(`  ${String(f.share).padStart(5)}%  ${String(f.selfMs).padStart(7)} ms  ${f.name}  ${f.where}`);
  lines.push('', 'Kasse functions by inclusive time:');
  for (const f of summary.inclusive.slice(0, 20)) lines.push(`  ${String(f.share).padStart(5)}%  ${String(f.totalMs).padStart(7)} ms  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [skipMs]');
    process.exit(2);
  }
  console.log(formatProfileSummary(summariseProfile(file, Number(process.argv[4] ?? 0)), Number(process.argv[3] ?? 30)));
}

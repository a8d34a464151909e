/**
 * Analysis aid (not a benchmark): which B-trees (tables and indexes) SQLite's group commits write. With
 * `synchronous = FULL` a COMMIT writes every page the batch dirtied to the WAL, two pwrite() calls a page, before its
 * one fsync; on this kind of machine those writes cost more than the fsync (strace under `lifecycle-sqlite`: ~130
 * pwrite64 per fsync). Each B-tree a command touches is at least one page per batch; a B-tree whose keys arrive in
 * no particular order (a random token, say) is a page per row.
 *
 * It runs `bench/query-count.ts` (32 flows at a time) on a database file, copies the database and its WAL while the
 * load runs, and reads the copy: the WAL's frames since its last restart, grouped into commits, each page named by the
 * B-tree that owns it (SQLite's dbstat table on the copy).
 *
 *   node --import tsx bench/wal-pages.ts [seconds=15] [samples=3]
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const seconds = Number(process.argv[2] ?? 15);
const samples = Number(process.argv[3] ?? 3);
const dir = join(import.meta.dirname, '.tmp', `wal-pages-${process.pid}`);

/** The page numbers of each commit in the WAL's current generation (frames whose salts match the header's). */
function commitsOf(wal: Buffer): number[][] {
  const pageSize = wal.readUInt32BE(8);
  const [salt1, salt2] = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  const commits: number[][] = [];
  let pages: number[] = [];
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
    if (wal.readUInt32BE(offset + 8) !== salt1 || wal.readUInt32BE(offset + 12) !== salt2) break;
    pages.push(wal.readUInt32BE(offset));
    // A commit's last frame carries the database's size in pages after it.
    if (wal.readUInt32BE(offset + 4) !== 0) {
      commits.push(pages);
      pages = [];
    }
  }
  return commits;
}

const pagesByTree = new Map<string, number>();
let commitCount = 0;
let frameCount = 0;
mkdirSync(dir, { recursive: true });
try {
  for (let sample = 0; sample < samples; sample++) {
    const database = join(dir, 'load.sqlite');
    rmSync(database, { force: true });
    rmSync(`${database}-wal`, { force: true });
    const load = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'query-count.ts'), '1000000', `sqlite:${database}`], {
      env: { ...process.env, CONCURRENCY: '32' },
      stdio: 'ignore',
    });
    // Copy at a different moment of the WAL's cycle each time (it restarts after each automatic checkpoint).
    await sleep(seconds * 1000 + sample * 1_700);
    const copy = join(dir, `copy-${sample}.sqlite`);
    copyFileSync(`${database}-wal`, `${copy}-wal`);
    copyFileSync(database, copy);
    load.kill('SIGKILL');
    const wal = readFileSync(`${copy}-wal`);
    const reader = new Database(copy);
    const owner = new Map((reader.prepare('SELECT pageno, name FROM dbstat').all() as Array<{ pageno: number; name: string }>).map((r) => [r.pageno, r.name]));
    reader.close();
    const commits = commitsOf(wal);
    for (const pages of commits) {
      frameCount += pages.length;
      for (const page of new Set(pages)) {
        const tree = owner.get(page) ?? '(not in the copy)';
        pagesByTree.set(tree, (pagesByTree.get(tree) ?? 0) + 1);
      }
    }
    commitCount += commits.length;
    console.log(`sample ${sample + 1}: ${commits.length} commits, ${(commits.reduce((n, c) => n + c.length, 0) / Math.max(1, commits.length)).toFixed(1)} pages each`);
  }
  console.log(`\n${commitCount} commits, ${(frameCount / commitCount).toFixed(1)} pages per commit; pages per commit by B-tree:`);
  for (const [tree, pages] of [...pagesByTree].sort((a, b) => b[1] - a[1])) console.log(`${(pages / commitCount).toFixed(2).padStart(7)}  ${tree}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Fixture for child-kasse.test.ts: start one Kasse child on argv[2] (a DATABASE_URL), print `CHILD <pid>`, and wait
 * (bounded) to be killed. The test SIGKILLs this process and expects the child to die with it.
 */
import { ChildKasse } from './child-kasse.ts';

const databaseUrl = process.argv[2];
if (!databaseUrl) throw new Error('usage: hold-child.ts DATABASE_URL');
const child = await ChildKasse.start({ databaseUrl });
process.stdout.write(`CHILD ${child.pid}\n`);
setTimeout(() => process.exit(0), 120_000);

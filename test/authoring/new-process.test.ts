// Adding a process is adding a folder: in a temporary copy of this tree, `npm run new:process`
// writes one; its generated tests pass at once, the tree still typechecks and lints, and that
// tree's own API serves the process and its own two workers run it on the real stack, with no
// other file touched.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TEST_TOKEN_SETTINGS } from '../support/auth';
import { freshClaim } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, uniqueId } from '../support/temporal';

const exec = promisify(execFile);
const tree = mkdtempSync(join(tmpdir(), 'tandem-tree-'));
const NAME = 'vendor-check';
const processes: WorkerProcess[] = [];

/** Runs a command in the copy; never throws, so a test can assert on a failure's output too. */
async function inTree(cmd: string, args: string[], timeout = 300_000): Promise<{ code: number; out: string; ms: number }> {
  const t0 = Date.now();
  // The copy runs its own test stack: none of this run's stack settings may leak into it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TANDEM|TEMPORAL|REDIS|SANDBOX)_/.test(k) && k !== 'VITEST' && !k.startsWith('VITEST_')));
  try {
    const { stdout, stderr } = await exec(cmd, args, { cwd: tree, env, timeout, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr, ms: Date.now() - t0 };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}`, ms: Date.now() - t0 };
  }
}

beforeAll(async () => {
  // What a clone has (tracked and new files, nothing ignored), with this checkout's node_modules.
  const { stdout } = await exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { maxBuffer: 64 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    try {
      cpSync(file, join(tree, file), { recursive: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // deleted in the work tree, not yet committed
    }
  }
  symlinkSync(join(process.cwd(), 'node_modules'), join(tree, 'node_modules'));
  before = await contents();
}, 120_000);

let before: Map<string, string>;
/** Each file of the copy (not node_modules, not the test stack's .state) and a hash of its bytes. */
async function contents(): Promise<Map<string, string>> {
  const files = readdirSync(tree, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(tree, join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith('node_modules') && !f.startsWith('.state/'));
  return new Map(files.map((f) => [f, createHash('sha1').update(readFileSync(join(tree, f))).digest('hex')]));
}

afterAll(async () => {
  await Promise.allSettled(processes.map((p) => p.stop()));
  await inTree('bash', ['scripts/stack.sh', 'stop'], 60_000).catch(() => undefined);
  await inTree('env', ['TANDEM_PROFILE=test', 'bash', 'scripts/stack.sh', 'stop'], 60_000).catch(() => undefined);
  rmSync(tree, { recursive: true, force: true });
}, 120_000);

describe('a new process, from one command', () => {
  it('writes a folder whose tests pass as generated, and refuses a bad or taken name', async () => {
    const made = await inTree('npx', ['tsx', 'scripts/new-process.ts', NAME]);
    expect(made.code, made.out).toBe(0);
    expect(made.out).toContain(`workflows/${NAME}/workflow.ts`);
    expect((await inTree('npx', ['tsx', 'scripts/new-process.ts', NAME])).out).toContain('already exists');
    const bad = await inTree('npx', ['tsx', 'scripts/new-process.ts', 'Vendor_Check']);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain('lower-case words joined by dashes');

    const tests = await inTree('npx', ['vitest', 'run', `workflows/${NAME}`], 600_000);
    expect(tests.code, tests.out).toBe(0);
    expect(tests.out).toContain('tests: 4 passed, 0 failed');
    console.log(`scaffold → green generated tests: ${((made.ms + tests.ms) / 1000).toFixed(1)} s (scaffold ${(made.ms / 1000).toFixed(1)} s, tests ${(tests.ms / 1000).toFixed(1)} s)`);
  }, 900_000);

  it('leaves a tree that typechecks and lints, with no file outside the new folder changed', async () => {
    // Every file of the copy as it was before the scaffold, but for the new folder (and the state the test stack keeps).
    const now = await contents();
    const changed = [...new Set([...before.keys(), ...now.keys()])].filter((f) => before.get(f) !== now.get(f));
    expect(changed.length).toBeGreaterThanOrEqual(7);
    expect(changed.filter((f) => !f.startsWith(`workflows/${NAME}/`))).toEqual([]);
    // The rest of the tree is this checkout's, typechecked by `npm test` itself: check the new
    // folder and all it imports (and the test stack's typed context they read).
    writeFileSync(join(tree, 'tsconfig.new-process.json'), JSON.stringify({ extends: './tsconfig.json', include: [`workflows/${NAME}`, 'test/support/global-stack.ts'] }));
    const types = await inTree('npx', ['tsc', '--noEmit', '-p', 'tsconfig.new-process.json'], 600_000);
    expect(types.code, types.out).toBe(0);
    const lint = await inTree('npx', ['eslint', `workflows/${NAME}`], 600_000);
    expect(lint.code, lint.out).toBe(0);
  }, 900_000);

  it('is served by that tree’s API and run by its two workers', async () => {
    const prefix = uniqueId('authoring');
    const port = String(20000 + Math.floor(Math.random() * 20000));
    // That tree's workers bundle its workflows themselves (not this run's prebuilt bundle).
    const env = { TANDEM_REDIS_PREFIX: prefix, TANDEM_WORKFLOW_BUNDLE: '' };
    processes.push(await WorkerProcess.start('orchestration', env, tree), await WorkerProcess.start('bot', env, tree));
    processes.push(
      await WorkerProcess.startApi({ ...env, TANDEM_API_PORT: port, TANDEM_JWT_SECRET: TEST_TOKEN_SETTINGS.secret!, TANDEM_JWT_ISSUER: TEST_TOKEN_SETTINGS.issuer!, TANDEM_JWT_AUDIENCE: TEST_TOKEN_SETTINGS.audience! }, tree),
    );
    const api = `http://127.0.0.1:${port}`;
    const ana = { ...(await bearer('ana.lima')), 'content-type': 'application/json' };
    const sam = { ...(await bearer('sam.rivera')), 'content-type': 'application/json' };

    const listed = (await (await fetch(`${api}/processes`, { headers: ana })).json()) as Array<{ name: string; inputSchema: { required?: string[] } }>;
    expect(listed.find((p) => p.name === NAME)?.inputSchema.required).toEqual(expect.arrayContaining(['client', 'reference']));
    const doc = (await (await fetch(`${api}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain(`/processes/${NAME}/runs`);

    const refused = await fetch(`${api}/processes/${NAME}/runs`, { method: 'POST', headers: sam, body: JSON.stringify({ client: 'acme-health', reference: 'nope' }) });
    expect(((await refused.json()) as { field?: string }).field).toBe('body.reference');
    const reference = freshClaim('CLM-1003');
    const started = await fetch(`${api}/processes/${NAME}/runs`, { method: 'POST', headers: sam, body: JSON.stringify({ client: 'acme-health', reference }) });
    expect(started.status).toBe(201);
    const { runId } = (await started.json()) as { runId: string };
    const run = async () => (await (await fetch(`${api}/runs/${runId}`, { headers: ana })).json()) as { status: string; openTasks: Array<{ taskId: string; context: { item: unknown } }>; outcome?: unknown };
    const task = await eventually(async () => (await run()).openTasks[0], 'the check, after the bot read the claim', 90_000, 250);
    expect(task.context.item).toMatchObject({ reference, amountCents: 98_050, status: 'open' });
    const decided = await fetch(`${api}/tasks/${task.taskId}/complete`, { method: 'POST', headers: ana, body: JSON.stringify({ action: 'approve', data: {} }) });
    expect(decided.status).toBe(200);
    const done = await eventually(async () => {
      const r = await run();
      return r.status !== 'running' && r;
    }, 'the run to finish', 60_000, 250);
    expect(done).toMatchObject({ status: 'completed', outcome: { kind: 'checked', decision: 'approve', decidedBy: 'ana.lima' } });
    expect(dirname(join(tree, 'workflows', NAME))).toBe(join(tree, 'workflows'));
  }, 600_000);
});

// The replay gate: every history recorded from real runs (workflows/<process>/histories/, made by
// `npm run replay:record`) is replayed against the workflow code of this checkout. A change that
// would break runs in flight (a step added, removed or moved without patched()) fails here, naming
// the fixture, before it can be deployed. No stack needed: replay runs in the worker alone.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { bundleWorkflows } from '../../workers/workflow-source';
import { catalogue } from '../../platform/process-catalogue';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../platform/payload-codec';
import { FIXTURE_KEY_ID, fixtureDataConverter, historyFixtures, type HistoryFixture } from './history-fixtures';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // each replay worker's state changes are noise here
} catch {
  // already installed in this test process
}

const fixtures = historyFixtures();
const manualTaskFixtures = fixtures.filter((f) => f.workflowType === 'manualTask');

/** Replays `histories` against a bundle; one result per fixture, by name. */
async function replay(code: string, histories: HistoryFixture[]): Promise<Map<string, ReplayResult['error']>> {
  const results = Worker.runReplayHistories(
    { workflowBundle: { code }, dataConverter: fixtureDataConverter(), replayName: 'tandem-replay-gate' },
    histories.map((f) => ({ workflowId: f.workflowId, history: f.history })),
  );
  const errors = new Map<string, ReplayResult['error']>();
  let i = 0;
  for await (const result of results) errors.set(histories[i++]!.name, result.error);
  expect(errors.size).toBe(histories.length);
  return errors;
}

/** This checkout's workflows: the bundle the test run's set-up built from them (test/support/global-stack.ts), else bundled here. */
async function currentWorkflows(): Promise<string> {
  const prebuilt = inject('stackEnv')?.TANDEM_WORKFLOW_BUNDLE;
  return prebuilt && existsSync(prebuilt) ? readFileSync(prebuilt, 'utf8') : bundleWorkflows();
}

const variant = async (file: string): Promise<string> =>
  (await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL(`fixtures/${file}`, import.meta.url)), logger: new DefaultLogger('WARN') })).code;

/**
 * Each payload of a history, with where it sits. Search attributes stay readable (Temporal indexes
 * them), and so do patch markers, which the SDK's core writes itself: they hold the patch's name only.
 */
function payloads(node: unknown, path = ''): { path: string; metadata: Record<string, Uint8Array> }[] {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return [];
  const record = node as Record<string, unknown>;
  if (record.markerName === 'core_patch') return [];
  if (record.metadata && record.data instanceof Uint8Array) return [{ path, metadata: record.metadata as Record<string, Uint8Array> }];
  return Object.entries(record).flatMap(([key, value]) => (key === 'searchAttributes' ? [] : payloads(value, `${path}.${key}`)));
}

const text = (bytes: Uint8Array | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

describe('the replay gate', () => {
  it('has recorded runs of every process of the catalogue, among them one that finished', () => {
    for (const process of catalogue.processes) {
      const own = fixtures.filter((f) => f.process === process.name);
      expect(own.map((f) => f.point), `workflows/${process.name}/histories/ has no fixtures: npm run replay:record`).not.toEqual([]);
      expect(own.some((f) => f.workflowType === process.workflowType && f.point === 'finished'), `${process.name}: no finished run recorded`).toBe(true);
    }
  });

  it('holds payloads encrypted as in production, with the fixtures key', () => {
    for (const f of fixtures) {
      const found = payloads(f.history);
      expect(found.length, `${f.name} has no payloads`).toBeGreaterThan(0);
      const clear = found.filter((p) => text(p.metadata[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING || text(p.metadata[KEY_ID_METADATA]) !== FIXTURE_KEY_ID);
      expect(clear.map((p) => `${f.name}${p.path}`)).toEqual([]);
    }
  });

  it('finds a process’s kept recordings (histories/<kept>/, npm run replay:record -- --keep) beside its latest', () => {
    const tree = mkdtempSync(join(tmpdir(), 'tandem-histories-'));
    try {
      const [latest, older] = manualTaskFixtures;
      mkdirSync(join(tree, 'manual-task', 'histories', 'before-cooling-off'), { recursive: true });
      cpSync(latest!.file, join(tree, 'manual-task', 'histories', 'claimed.json'));
      cpSync(older!.file, join(tree, 'manual-task', 'histories', 'before-cooling-off', 'finished.json'));
      mkdirSync(join(tree, 'engine'));
      expect(historyFixtures(tree).map((f) => [f.name, f.workflowType])).toEqual([
        ['manual-task/claimed', 'manualTask'],
        ['manual-task/before-cooling-off/finished', 'manualTask'],
      ]);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  describe('against the workflow code of this checkout', () => {
    let errors: Map<string, ReplayResult['error']>;
    beforeAll(async () => {
      errors = await replay(await currentWorkflows(), fixtures);
    });

    for (const f of fixtures) {
      it(`replays ${f.name} (${f.workflowType})`, () => {
        const error = errors.get(f.name);
        const advice = 'guard the change with patched() (docs/AUTHORING.md), or re-record with npm run replay:record if no such run can be in flight';
        expect(error, `${relative(process.cwd(), f.file)} no longer replays: ${error?.message}; ${advice}`).toBeUndefined();
      });
    }
  });

  describe('a step added to ManualTask before its decision', () => {
    it('without patched(): every recorded ManualTask run fails with a determinism violation', async () => {
      expect(manualTaskFixtures.length).toBeGreaterThanOrEqual(2);
      const errors = await replay(await variant('manual-task-breaking-edit.ts'), manualTaskFixtures);
      for (const f of manualTaskFixtures) {
        const error = errors.get(f.name);
        expect(error, f.name).toBeInstanceOf(DeterminismViolationError);
        expect(error?.message, f.name).toMatch(/nondetermin/i);
      }
    });

    it('behind patched(): every recorded ManualTask run replays', async () => {
      const errors = await replay(await variant('manual-task-patched-edit.ts'), manualTaskFixtures);
      expect([...errors].filter(([, error]) => error).map(([name, error]) => `${name}: ${error!.message}`)).toEqual([]);
    });
  });
});

// Bots' evidence over the API: the exact bytes with their content type, to operators of the
// run's client only; bad names refused, missing files a problem.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { Redis } from 'ioredis';
import { ArtifactStore } from '../../activities/artifacts';
import { buildApp } from '../../api/app';
import { TaskIndex } from '../../inbox/task-index';
import { stackEnv, temporalClient, uniqueId } from '../support/temporal';
import { bearer, testAuth } from '../support/auth';

const TandemClient = defineSearchAttributeKey('TandemClient', SearchAttributeType.KEYWORD);
const screenshot = randomBytes(2048);
const trace = randomBytes(4096);

let client: Client;
let closeClient: () => Promise<void>;
let redis: Redis;
let app: FastifyInstance;
let root: string;
let runId: string;

beforeAll(async () => {
  ({ client, close: closeClient } = await temporalClient(stackEnv().TANDEM_UNIT_NAMESPACE));
  // A run of acme-health that no worker serves: only its search attributes matter here.
  runId = uniqueId('claim-review');
  await client.workflow.start('claimReview', {
    taskQueue: uniqueId('no-worker'),
    workflowId: runId,
    args: [{ client: 'acme-health', claimRef: 'CLM-1002' }],
    typedSearchAttributes: new TypedSearchAttributes([{ key: TandemClient, value: 'acme-health' }]),
  });
  root = await mkdtemp(join(tmpdir(), 'tandem-artifacts-'));
  const artifacts = new ArtifactStore(root);
  const dir = await artifacts.runDir(runId);
  await writeFile(join(dir, 'extract-claim-failure.png'), screenshot);
  await writeFile(join(dir, 'extract-claim-trace.zip'), trace);
  redis = new Redis(stackEnv().REDIS_URL!);
  app = await buildApp({ temporal: client, index: new TaskIndex(redis, { prefix: uniqueId('artifacts') }), artifacts, auth: testAuth() });
});
afterAll(async () => {
  await client?.workflow.getHandle(runId).terminate('test finished').catch(() => undefined);
  await app?.close();
  await redis?.quit();
  await closeClient?.();
  if (root) await rm(root, { recursive: true, force: true });
});

const get = async (url: string, operatorId?: string) =>
  app.inject({
    method: 'GET',
    url,
    headers: operatorId === undefined ? {} : operatorId === 'nobody' ? { authorization: 'Bearer not-a-token' } : await bearer(operatorId),
  });

describe('GET /artifacts/:runId/:file', () => {
  it('streams the exact bytes with the content type of their extension, privately cached', async () => {
    const png = await get(`/artifacts/${runId}/extract-claim-failure.png`, 'ana.lima');
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['cache-control']).toBe('private, max-age=300');
    expect(png.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(png.rawPayload, screenshot)).toBe(0);

    const zip = await get(`/artifacts/${runId}/extract-claim-trace.zip`, 'ben.okafor');
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(Number(zip.headers['content-length'])).toBe(trace.length);
    expect(Buffer.compare(zip.rawPayload, trace)).toBe(0);
  });

  it('answers 404 to an operator of another client, exactly as for a run that does not exist', async () => {
    const foreign = await get(`/artifacts/${runId}/extract-claim-failure.png`, 'carla.souza');
    const unknown = await get('/artifacts/claim-review-no-such-run/extract-claim-failure.png', 'carla.souza');
    for (const res of [foreign, unknown]) {
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(foreign.json().type).toBe(unknown.json().type);
  });

  it('answers 404 for a file the run does not have', async () => {
    const res = await get(`/artifacts/${runId}/enter-decision-failure.png`, 'ana.lima');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ type: 'urn:tandem:problem:not-found', status: 404 });
  });

  it('refuses file names outside [A-Za-z0-9._-] (and dot names) with a 400 problem', async () => {
    for (const file of ['bad%20name.png', '...', '.hidden', '..%2F..%2Fsecret.txt', 'shot.png%00.txt']) {
      const res = await get(`/artifacts/${runId}/${file}`, 'ana.lima');
      expect(res.statusCode, file).toBe(400);
      expect(res.json(), file).toMatchObject({ type: 'urn:tandem:problem:invalid-request', field: 'params.file' });
    }
    // A bare `..` is a dot segment: URL parsing removes it with the run id before routing, leaving
    // the listing route with an empty run id, which its schema refuses.
    const dots = await get(`/artifacts/${runId}/%2E%2E`, 'ana.lima');
    expect(dots.statusCode).toBe(400);
    expect(dots.json()).toMatchObject({ field: 'params.runId' });
  });

  it('wants to know who asks: 400 without the header, 401 for someone not on the roster', async () => {
    const url = `/artifacts/${runId}/extract-claim-failure.png`;
    expect((await get(url)).json()).toMatchObject({ status: 401, field: 'headers.authorization' });
    expect((await get(url, 'nobody')).statusCode).toBe(401);
  });
});

describe('GET /artifacts/:runId', () => {
  it('lists every artifact of the run with the key that serves it, and nothing to another client', async () => {
    const res = await get(`/artifacts/${runId}`, 'ana.lima');
    expect(res.statusCode).toBe(200);
    const { artifacts } = res.json() as { artifacts: Array<{ file: string; key: string; bytes: number }> };
    expect(artifacts.map((a) => a.file).sort()).toEqual(['extract-claim-failure.png', 'extract-claim-trace.zip']);
    const png = artifacts.find((a) => a.file.endsWith('.png'))!;
    expect(png).toMatchObject({ key: `${runId}/extract-claim-failure.png`, bytes: screenshot.length });
    expect((await get(`/artifacts/${png.key}`, 'ana.lima')).statusCode).toBe(200);
    expect((await get(`/artifacts/${runId}`, 'carla.souza')).statusCode).toBe(404);
  });
});

// Payload encryption against the real dev server: a ManualTask run served by a worker with the
// codec leaves only `binary/encrypted` payloads in Temporal's history (its input, the task's form
// data in the completeTask Update, the result); a client with the keys reads them all back, one
// without cannot; and the codec endpoint decodes them for the Temporal UI, for supervisors only.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { buildApp } from '../../api/app';
import { buildAuditTrail } from '../../api/audit/audit-trail';
import type { HistoryEvent } from '../../api/audit/history-reader';
import { TaskIndex } from '../../inbox/task-index';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, Keyring } from '../../platform/payload-codec';
import { completeTaskUpdate, runViewQuery, type Actor } from '../../workflows/engine/messages';
import type { ManualTaskInput, ManualTaskOutcome } from '../../workflows/manual-task/schema';
import { bearer, testAuth } from '../support/auth';
import { eventually, stackConfig, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

// Strings that appear nowhere but in this run's payloads.
const SECRET_TITLE = 'Sign off Zebra-Quartz-7731';
const SECRET_INSTRUCTIONS = 'Member Orla Vantongeren, diagnosis Q-9981-ALPHA';
const SECRET_REASON = 'Violet-Falcon-2290 not covered';
const SECRETS = [SECRET_TITLE, SECRET_INSTRUCTIONS, SECRET_REASON];
const UI_URL = 'http://127.0.0.1:48233';
const ana: Actor = { operatorId: 'ana.lima', teams: ['claims-review'], clients: ['acme-health'], roles: ['operator'] };

let connection: NativeConnection;
let codecClient: { client: Client; close(): Promise<void> };
let rawConnection: Connection;
let rawClient: Client;
let runId: string;
let outcome: ManualTaskOutcome;

const namespace = () => stackEnv().TANDEM_UNIT_NAMESPACE!;

beforeAll(async () => {
  expect(stackConfig().payloadKeys.file, 'the test stack provisions a key file').toMatch(/payload-keys$/);
  connection = await workerConnection();
  codecClient = await temporalClient(namespace());
  rawConnection = await Connection.connect({ address: stackEnv().TEMPORAL_ADDRESS! });
  rawClient = new Client({ connection: rawConnection, namespace: namespace() });

  const taskQueue = uniqueId('encrypted');
  const worker = await Worker.create({
    connection,
    namespace: namespace(),
    taskQueue,
    dataConverter: workerDataConverter(),
    workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
    activities: { syncTask: async () => ({}), emitEvent: async () => undefined },
  });
  await worker.runUntil(async () => {
    const input: ManualTaskInput = { client: 'acme-health', reference: 'REF-ENC-1', title: SECRET_TITLE, team: 'claims-review', instructions: SECRET_INSTRUCTIONS };
    const handle: WorkflowHandle = await codecClient.client.workflow.start('manualTask', { taskQueue, workflowId: uniqueId('manual-task'), args: [input] });
    const task = await eventually(async () => (await handle.query(runViewQuery)).openTasks[0], 'the open task');
    await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'reject', data: { reason: SECRET_REASON }, actor: ana }] });
    outcome = (await handle.result()) as ManualTaskOutcome;
    runId = handle.workflowId;
  });
});

afterAll(async () => {
  await codecClient?.close();
  await rawConnection?.close();
  await connection?.close();
});

const rawEvents = async (): Promise<HistoryEvent[]> => (await rawClient.workflow.getHandle(runId).fetchHistory()).events ?? [];
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

/** Bytes shown as text, as a plaintext payload would read (proto messages' own toJSON shows base64). */
function asText(value: unknown): unknown {
  if (value instanceof Uint8Array) return text(value);
  if (Array.isArray(value)) return value.map(asText);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asText(v)]));
  return value;
}
const readableJson = (value: unknown): string => JSON.stringify(asText(value));

/** The payloads that carry the run's business data: input, task sync, Update args and result, run result. */
function businessPayloads(events: HistoryEvent[]) {
  const pick = (f: (e: HistoryEvent) => { payloads?: Payload[] | null } | null | undefined) => events.flatMap((e) => f(e)?.payloads ?? []);
  return {
    input: pick((e) => e.workflowExecutionStartedEventAttributes?.input),
    syncTask: pick((e) => e.activityTaskScheduledEventAttributes?.input),
    updateArgs: pick((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args),
    updateResult: pick((e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success),
    result: pick((e) => e.workflowExecutionCompletedEventAttributes?.result),
  };
}

describe('history written with payload encryption on', () => {
  it('runs as usual for a client that holds the keys', () => {
    expect(outcome).toEqual({ decision: 'reject', note: SECRET_REASON, decidedBy: 'ana.lima' });
  });

  it('stores input, task form data and result as binary/encrypted, none of it readable without the keys', async () => {
    const events = await rawEvents();
    const payloads = businessPayloads(events);
    for (const [where, list] of Object.entries(payloads)) {
      expect(list.length, where).toBeGreaterThan(0);
      for (const p of list) {
        expect(text(p.metadata?.encoding), where).toBe(ENCRYPTED_ENCODING);
        expect(text(p.metadata?.[KEY_ID_METADATA]), where).toMatch(/^k\d{8}$/); // the stack's own key, k<yyyymmdd>
      }
    }
    const json = readableJson(events);
    const bytes = Buffer.from(proto.temporal.api.history.v1.History.encode({ events }).finish());
    for (const secret of SECRETS) {
      expect(json).not.toContain(secret);
      expect(bytes.includes(secret)).toBe(false);
    }
    // What stays in clear on purpose: search attributes (the reference operators search by).
    expect(json).toContain('REF-ENC-1');
    await expect(rawClient.workflow.getHandle(runId).result()).rejects.toThrow(/encoding/i);
  });

  it('reads every payload back with the codec, and the audit trail still shows who decided what', async () => {
    const payloads = businessPayloads(await rawEvents());
    const codecs = codecClient.client.options.loadedDataConverter.payloadCodecs;
    let decoded = Object.values(payloads).flat();
    for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
    const values = readableJson(decoded.map((p) => defaultPayloadConverter.fromPayload(p)));
    for (const secret of SECRETS) expect(values).toContain(secret);

    const trail = await buildAuditTrail(codecClient.client, runId);
    expect(trail[0]).toMatchObject({ action: 'started', detail: { input: { instructions: SECRET_INSTRUCTIONS } } });
    expect(trail.find((e) => e.action === 'complete')).toMatchObject({ actor: { operatorId: 'ana.lima' }, detail: { action: 'reject', data: { reason: SECRET_REASON } } });
  });
});

describe('POST /codec/decode and /codec/encode (the Temporal UI’s codec endpoint)', () => {
  let app: FastifyInstance;
  let redis: Redis;
  let encryptedInput: Payload;
  const previousUiUrl = process.env.TANDEM_TEMPORAL_UI_URL;

  beforeAll(async () => {
    process.env.TANDEM_TEMPORAL_UI_URL = UI_URL;
    redis = new Redis(stackEnv().REDIS_URL!);
    app = await buildApp({ temporal: codecClient.client, index: new TaskIndex(redis, { prefix: uniqueId('codec') }), auth: testAuth() });
    encryptedInput = businessPayloads(await rawEvents()).input[0]!;
  });
  afterAll(async () => {
    if (previousUiUrl === undefined) delete process.env.TANDEM_TEMPORAL_UI_URL;
    else process.env.TANDEM_TEMPORAL_UI_URL = previousUiUrl;
    await app?.close();
    await redis?.quit();
  });

  const asJson = (p: Payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });
  const post = async (operation: 'decode' | 'encode', body: unknown, as?: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/codec/${operation}`, payload: body as object, headers: { ...(as ? await bearer(as) : {}), 'x-namespace': namespace(), ...headers } });
  const decodedValue = (reply: { payloads: Array<{ metadata: Record<string, string>; data?: string }> }, i = 0) =>
    defaultPayloadConverter.fromPayload({
      metadata: Object.fromEntries(Object.entries(reply.payloads[i]!.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(reply.payloads[i]!.data ?? '', 'base64'),
    });

  it('decodes a run’s encrypted payload for a supervisor, and passes plain ones through', async () => {
    const plain = defaultPayloadConverter.toPayload({ already: 'plain' });
    const res = await post('decode', { payloads: [asJson(encryptedInput), asJson(plain)] }, 'sam.rivera');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Buffer.from(body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(decodedValue(body)).toMatchObject({ title: SECRET_TITLE, instructions: SECRET_INSTRUCTIONS });
    expect(decodedValue(body, 1)).toEqual({ already: 'plain' });
  });

  it('encodes for a supervisor what it then decodes', async () => {
    const res = await post('encode', { payloads: [asJson(defaultPayloadConverter.toPayload({ from: 'the UI' }))] }, 'sam.rivera');
    expect(res.statusCode).toBe(200);
    const encoded = res.json();
    expect(Buffer.from(encoded.payloads[0].metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(decodedValue((await post('decode', encoded, 'sam.rivera')).json())).toEqual({ from: 'the UI' });
  });

  it('refuses operators (403) and callers without credentials (401)', async () => {
    for (const [as, status] of [
      ['ana.lima', 403],
      [undefined, 401],
    ] as const) {
      const res = await post('decode', { payloads: [asJson(encryptedInput)] }, as);
      expect(res.statusCode, String(as)).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).not.toContain(SECRET_TITLE);
    }
  });

  it('answers a bad body with a 400 problem naming the field', async () => {
    const tooMany = { payloads: Array.from({ length: 101 }, () => asJson(encryptedInput)) };
    for (const [body, field] of [
      [{ payloads: 'nope' }, 'body.payloads'],
      [{}, 'body.payloads'],
      [{ payloads: [{ metadata: { encoding: 'not base64!' } }] }, 'body.payloads.0.metadata.encoding'],
      [tooMany, 'body.payloads'],
    ] as const) {
      const res = await post('decode', body, 'sam.rivera');
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: 'urn:tandem:problem:invalid-request', status: 400, field });
    }
  });

  it('names the key id it lacks, and refuses a tampered payload, as 400 problems', async () => {
    const [foreign] = await new AesGcmPayloadCodec(Keyring.parse(`k-elsewhere:${randomBytes(32).toString('base64')}`)).encode([defaultPayloadConverter.toPayload('x')]);
    const unknown = await post('decode', { payloads: [asJson(encryptedInput), asJson(foreign!)] }, 'sam.rivera');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ field: 'body.payloads.1', errors: [{ message: expect.stringContaining('"k-elsewhere"') }] });
    const data = Buffer.from(encryptedInput.data!);
    data[data.length - 1]! ^= 1;
    const tampered = await post('decode', { payloads: [asJson({ ...encryptedInput, data })] }, 'sam.rivera');
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json()).toMatchObject({ field: 'body.payloads.0', errors: [{ message: expect.stringMatching(/failed authentication/) }] });
  });

  it('lets the Temporal UI’s origin call it from the browser (CORS), and no other origin', async () => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: UI_URL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-namespace' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': UI_URL, 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'POST' });
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/authorization.*x-namespace/);

    const ok = await post('decode', { payloads: [asJson(encryptedInput)] }, 'sam.rivera', { origin: UI_URL });
    expect(ok.headers['access-control-allow-origin']).toBe(UI_URL);
    // Refusals carry the headers too, so the UI can show why.
    const refused = await post('decode', { payloads: [asJson(encryptedInput)] }, 'ana.lima', { origin: UI_URL });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBe(UI_URL);

    const elsewhere = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
    const fromElsewhere = await post('decode', { payloads: [asJson(encryptedInput)] }, 'sam.rivera', { origin: 'https://evil.example' });
    expect(fromElsewhere.headers['access-control-allow-origin']).toBeUndefined();
  });
});

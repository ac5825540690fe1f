// What the API fuzzer (scripts/fuzz-api.sh) found, kept fixed: every error the server gives is
// application/problem+json, also those Fastify and Node produce before any route runs (malformed
// URLs, over-long path parameters, unreadable requests), a known path with another method is 405
// with Allow, and the OpenAPI document says what the routes really do.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Client } from '@temporalio/client';
import { Redis } from 'ioredis';
import { buildApp } from '../../api/app';
import { openApiDocument } from '../../api/openapi';
import { TaskIndex } from '../../inbox/task-index';
import { bearer, testAuth } from '../support/auth';
import { stackEnv, uniqueId } from '../support/temporal';

let app: FastifyInstance;

beforeAll(async () => {
  // None of these requests reaches Temporal or Redis.
  app = await buildApp({ temporal: {} as Client, index: {} as TaskIndex, auth: testAuth() });
  await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
});

function expectProblem(res: LightMyRequestResponse, status: number, type?: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, title: expect.any(String), type: type ?? expect.any(String) });
  return body;
}

/** One raw request on a socket; the server's whole answer. */
function rawRequest(data: string): Promise<{ status: number; contentType?: string; body: string }> {
  const { port } = app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const answer = () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      return { head, body, length: Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? NaN) };
    };
    const done = () => {
      socket.destroy();
      const { head, body } = answer();
      const status = Number(head.split(' ')[1]);
      if (!status) return reject(new Error(`no HTTP answer: ${JSON.stringify(text)}`));
      resolve({ status, contentType: /^content-type:\s*(.+)$/im.exec(head)?.[1]?.trim(), body });
    };
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const { body, length } = answer();
      if (Buffer.byteLength(body, 'latin1') >= length) done();
    });
    socket.on('error', () => undefined); // the server may close the connection after its answer
    socket.on('close', done);
    socket.write(data);
  });
}

describe('methods', () => {
  it('answers 405 with Allow for a known path and another method', async () => {
    const options = await app.inject({ method: 'OPTIONS', url: '/processes' });
    expectProblem(options, 405, 'urn:tandem:problem:method-not-allowed');
    expect(options.headers.allow).toBe('GET, HEAD');
    expect((await app.inject({ method: 'DELETE', url: '/me' })).headers.allow).toBe('GET, HEAD');
    const put = await app.inject({ method: 'PUT', url: '/tasks/run-1.t1/complete', payload: {} });
    expectProblem(put, 405);
    expect(put.headers.allow).toBe('POST');
  });

  it('treats a static path as its own resource, not as a value of a parametric one', async () => {
    // GET /tasks/{taskId} would match /tasks/bulk-complete; the resource only takes POST.
    for (const method of ['OPTIONS', 'GET'] as const) {
      const res = await app.inject({ method, url: '/tasks/bulk-complete', headers: await bearer('sam.rivera') });
      expectProblem(res, 405);
      expect(res.headers.allow).toBe('POST');
    }
  });

  it('still answers 404 for an unknown path', async () => {
    expectProblem(await app.inject({ method: 'DELETE', url: '/nowhere' }), 404, 'urn:tandem:problem:not-found');
  });
});

describe('URLs', () => {
  it('answers a malformed percent-encoding with problem+json', async () => {
    expectProblem(await app.inject({ method: 'GET', url: '/runs/%zz' }), 400, 'urn:tandem:problem:FST_ERR_BAD_URL');
  });

  it('validates path parameters up to their documented maxLength (no 414 below it)', async () => {
    const res = await app.inject({ method: 'GET', url: `/runs/${'a'.repeat(201)}`, headers: await bearer('sam.rivera') });
    const body = expectProblem(res, 400, 'urn:tandem:problem:invalid-request');
    expect(body.field).toBe('params.runId');
  });

  it('answers a path parameter over the router limit with a problem+json 414', async () => {
    expectProblem(await app.inject({ method: 'GET', url: `/runs/${'a'.repeat(300)}` }), 414, 'urn:tandem:problem:FST_ERR_MAX_PARAM_LENGTH');
  });
});

describe('requests Node cannot read', () => {
  it.each([
    ['headers over 16 KiB', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['a garbage request line', 'HELLO\r\n\r\n', 400],
    ['an invalid Content-Length', 'POST /processes/manual-task/runs HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400],
    ['HTTP/1.1 without Host', 'GET /health HTTP/1.1\r\n\r\n', 400],
  ])('answers %s with problem+json', async (_name, request, status) => {
    const res = await rawRequest(request);
    expect(res.status).toBe(status);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body)).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  });
});

describe('client audit view', () => {
  it('answers a range before 1970 (no access records there) instead of failing in Redis', async () => {
    const redis = new Redis(stackEnv().REDIS_URL!);
    // No runs: the history half of the view stays empty.
    const temporal = { workflow: { list: async function* () {} } } as unknown as Client;
    const audit = await buildApp({ temporal, index: new TaskIndex(redis, { prefix: uniqueId('fuzz') }), auth: testAuth() });
    try {
      const headers = await bearer('sam.rivera');
      for (const query of ['until=1414-09-22T21:07:31.2Z', 'since=1969-12-31T00:00:00Z&until=1970-01-01T12:00:00Z']) {
        const res = await audit.inject({ method: 'GET', url: `/clients/acme-health/audit?${query}`, headers });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toMatchObject({ client: 'acme-health', entries: [] });
      }
    } finally {
      await audit.close();
      await redis.quit();
    }
  });
});

describe('client oversight', () => {
  it('refuses KPI ranges and report periods outside the years a contract covers, naming the field (no 500)', async () => {
    const headers = await bearer('sam.rivera');
    for (const [query, field] of [['from=9999-12-31T23:59:59Z&to=9999-12-31T23:59:59.999Z', 'querystring.from'], ['to=0001-01-01T00:00:00Z', 'querystring.to']]) {
      const body = expectProblem(await app.inject({ method: 'GET', url: `/clients/acme-health/kpis?${query}`, headers }), 400);
      expect(JSON.stringify(body), query).toContain(field);
    }
    for (const period of ['9999-W53', '9999-12', '0000-01-01']) {
      const body = expectProblem(await app.inject({ method: 'GET', url: `/clients/acme-health/reports/${period}`, headers }), 400);
      expect(JSON.stringify(body), period).toContain('params.period');
    }
  });
});

describe('the OpenAPI document', () => {
  it('says /health needs no credentials and documents the event stream and its errors', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, any>> };
    expect(doc.paths['/health']!.get.security).toEqual([]);
    const events = doc.paths['/teams/{team}/events']!.get.responses;
    expect(events['200'].content).toHaveProperty(['text/event-stream']);
    expect(events['4XX'].content).toHaveProperty(['application/problem+json']);
  });

  it('documents the JSON Lines export of the client audit view', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, any>> };
    expect(Object.keys(doc.paths['/clients/{client}/audit']!.get.responses['200'].content).sort()).toEqual(['application/json', 'application/x-ndjson']);
  });
});

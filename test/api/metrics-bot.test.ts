// The bot worker's own metrics endpoint (TANDEM_BOT_METRICS_PORT), on the real worker processes:
// a ClaimReview run's bot steps show up in the step duration histogram, and a claim the claims
// system does not know shows up as a business failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshClaim, startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, temporalClient, uniqueId } from '../support/temporal';
import { bearer } from '../support/auth';
import { closedPort, has, parseMetrics, sample } from './metrics.fixtures';

const TOKEN = 'bot-metrics-token-0123456789';
const prefix = uniqueId('bot-metrics');
let api: TestApi;
let orchestration: WorkerProcess;
let bot: WorkerProcess;
let port: number;

beforeAll(async () => {
  port = await closedPort();
  api = await startApi(prefix);
  [orchestration, bot] = await Promise.all([
    WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }),
    WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix, TANDEM_BOT_METRICS_PORT: String(port), TANDEM_METRICS_TOKEN: TOKEN }),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([orchestration?.stop(), bot?.stop()]);
  await api?.close();
});

const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => fetch(`http://127.0.0.1:${port}/metrics`, { headers });

describe('bot worker metrics', () => {
  it('counts bot steps by outcome and failures by kind', async () => {
    expect(bot.log).toMatch(/metrics endpoint listening/);
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: 'Bearer nope' })).status).toBe(401);
    const first = parseMetrics(await (await scrape()).text());
    expect(has(first, 'process_resident_memory_bytes')).toBe(true);

    const sam = await bearer('sam.rivera');
    const start = (claimRef: string) =>
      api.app.inject({ method: 'POST', url: '/processes/claim-review/runs', headers: sam, payload: { client: 'globex-insurance', claimRef } });
    // A claim like CLM-2001 is small enough to be approved without a person: extract, then enter
    // the decision. CLM-0999… does not exist: a business exception.
    expect((await start(freshClaim('CLM-2001'))).statusCode).toBe(201);
    const unknown = await start(freshClaim('CLM-0999'));
    expect(unknown.statusCode).toBe(201);

    const samples = await eventually(async () => {
      const now = parseMetrics(await (await scrape()).text());
      const ok = (bot: string) => sample(now, 'tandem_bot_step_duration_seconds_count', { bot, outcome: 'ok' });
      return ok('extractClaim') >= 1 && ok('enterAdjudication') >= 1 && sample(now, 'tandem_bot_step_failures_total', { bot: 'extractClaim', kind: 'business' }) >= 1 && now;
    }, 'both runs’ bot steps in the bot worker’s metrics', 60_000, 250);
    expect(sample(samples, 'tandem_bot_step_duration_seconds_count', { bot: 'extractClaim', outcome: 'business' })).toBe(1);
    expect(sample(samples, 'tandem_bot_step_failures_total', { kind: 'system' })).toBe(0);
    // A real browser step takes a measurable time.
    expect(sample(samples, 'tandem_bot_step_duration_seconds_sum', { bot: 'extractClaim', outcome: 'ok' })).toBeGreaterThan(0);

    // The unknown claim's run waits on an exception task: end it.
    const temporal = await temporalClient();
    await temporal.client.workflow.getHandle(unknown.json().runId).cancel();
    await temporal.close();
  });
});

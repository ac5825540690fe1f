// Temporal's Java test server with time skipping (io.temporal:temporal-test-server, fetched with
// Maven by `npm run setup`; scripts/ensure-test-server.sh), started through the SDK's
// `existing-path` executable. Timers of hours or days fire as soon as every workflow waits on one.
// Not on this server: Schedules and visibility lists (those tests stay on the dev server).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { TANDEM_SEARCH_ATTRIBUTES } from '../../workflows/engine/search-attributes';

const ENSURE = fileURLToPath(new URL('../../scripts/ensure-test-server.sh', import.meta.url));

/** The launcher's path: $TEMPORAL_TEST_SERVER, or the one set-up made (made now, once, if missing). */
export function testServerLauncher(): string {
  if (process.env.TEMPORAL_TEST_SERVER) return process.env.TEMPORAL_TEST_SERVER;
  return execFileSync('bash', [ENSURE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * Starts a time-skipping environment. The SDK gives the server a hard 5 s to open its port; the
 * launcher's class-data archive keeps the JVM well inside that, and a start that still misses it on
 * a loaded machine is tried once more (the deadline is the SDK's start-up check, not a test's bound).
 */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = testServerLauncher();
  const start = () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  let env: TestWorkflowEnvironment;
  try {
    env = await start();
  } catch (err) {
    if (!/did not start|start within/i.test(String(err))) throw err;
    env = await start();
  }
  await registerSearchAttributes(env);
  return env;
}

// temporal.api.enums.v1.IndexedValueType (protobuf numbers, stable by the wire format).
const INDEXED_VALUE_TYPE: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

/** Every run upserts Tandem's search attributes; the test server refuses undeclared ones, as a real server does. */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const searchAttributes = Object.fromEntries(Object.entries(TANDEM_SEARCH_ATTRIBUTES).map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]!]));
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
}

/** Prints the workflow time a test's timers stood for beside the wall time the test took. */
export async function timed(label: string, body: () => Promise<{ stoodForMs: number }>): Promise<void> {
  const wall0 = Date.now();
  const { stoodForMs } = await body();
  console.log(`time skipping: ${label}: ${(stoodForMs / 3600_000).toFixed(2)} h of timers in ${((Date.now() - wall0) / 1000).toFixed(1)} s`);
}

// The stack the suite's figures share (bench/all.ts, and each figure's own script): a fresh profile
// of scripts/stack.sh on SQLite pragmas fit for load, one orchestration worker process (ours), one
// bare-decision worker process (the baseline), the API in this process over real HTTP, and bearer
// tokens for operators and for a supervisor who may start runs.
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from '../../api/app';
import { TaskIndex } from '../../inbox/task-index';
import { loadConfig } from '../../platform/config';
import { connectClient, type TemporalClient } from '../../platform/temporal';
import { benchAuth, type BenchOperator } from './auth';
import { CLIENT, TEAM } from './inbox-load';
import { attachStack, onInterrupt, startStack, stopProfile, type BenchStack, type StackEnv } from './stack';

/** WAL journal (readers never wait for the writer, a commit appends to the log) and synchronous=NORMAL
 *  (fsync at checkpoints, not per commit): what the bench and the demo run Temporal's SQLite with. */
export const LOAD_PRAGMAS = 'journal_mode=wal,synchronous=normal';

export interface SuiteStack {
  stack: BenchStack;
  temporal: TemporalClient;
  index: TaskIndex;
  redis: Redis;
  app: FastifyInstance;
  apiUrl: string;
  operators: BenchOperator[];
  /** Headers of a supervisor of the bench client (may start runs and batches). */
  supervisor: Record<string, string>;
  prefix: string;
  pragmas: string;
  close(): Promise<void>;
}

export interface SuiteStackOptions {
  profile: string;
  pragmas?: string;
  log: (line: string) => void;
  operators?: number;
  /** Run on a stack already up (the test stack), described by these variables, instead of a fresh one. */
  attach?: StackEnv;
  /** Also start a bot worker (the sustained figure's item batch needs one). */
  botWorker?: boolean;
}

/** The sandbox client whose CRM the item batch keys documents into. */
export const BATCH_CLIENT = 'acme-health';

export async function openSuiteStack(opts: SuiteStackOptions): Promise<SuiteStack> {
  // On a shared stack, a Redis prefix of its own keeps this run's index apart from everyone else's.
  const prefix = opts.attach ? `bench${process.pid}${Date.now().toString(36)}` : opts.profile.replace(/[^a-z0-9]/gi, '');
  const pragmas = opts.attach ? `as the attached stack runs it (${opts.attach.TANDEM_PROFILE ?? '?'} profile)` : (opts.pragmas ?? LOAD_PRAGMAS);
  let stack: BenchStack | undefined;
  let temporal: TemporalClient | undefined;
  let redis: Redis | undefined;
  let app: FastifyInstance | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await app?.close().catch(() => undefined);
    redis?.disconnect();
    await temporal?.close().catch(() => undefined);
    await (stack ? stack.stop() : opts.attach ? undefined : stopProfile(opts.profile));
  };
  const removeHooks = onInterrupt(close);
  try {
    stack = opts.attach ? attachStack(opts.attach, opts.log) : await startStack(opts.profile, opts.log, '', { sqlitePragmas: pragmas });
    const env = stack.env;
    await Promise.all([
      stack.startWorkers(1, { TANDEM_REDIS_PREFIX: prefix, LOG_LEVEL: 'info' }),
      stack.startProcess('bench/lib/bare-worker.ts', {}, 'bare decision worker started', 'bare-1'),
      ...(opts.botWorker ? [stack.startWorkers(1, { TANDEM_REDIS_PREFIX: prefix, LOG_LEVEL: 'info' }, 'bot')] : []),
    ]);
    temporal = await connectClient(loadConfig({ ...process.env, ...env }));
    redis = new Redis(env.REDIS_URL!);
    const index = new TaskIndex(redis, { prefix });
    // Built from the start: the first take-next must not rebuild the index from Temporal mid-timing.
    await index.markBuilt(new Date().toISOString());
    const bench = await benchAuth(TEAM, CLIENT, opts.operators ?? 8, [BATCH_CLIENT]);
    app = await buildApp({ temporal: temporal.client, index, roster: bench.roster, auth: bench.auth, ratePerMinute: 10_000_000, logger: false });
    const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    opts.log(`API listening on ${apiUrl}; Temporal SQLite pragmas: ${pragmas}`);
    const result: SuiteStack = {
      stack,
      temporal,
      index,
      redis,
      app,
      apiUrl,
      operators: bench.operators,
      supervisor: bench.supervisor,
      prefix,
      pragmas,
      close: async () => {
        removeHooks();
        await close();
      },
    };
    return result;
  } catch (err) {
    removeHooks();
    await close();
    throw err;
  }
}

// Runs one bot step (the plain `(bot, input) => …` function of a process's bot-steps.ts) in real
// headless Chromium outside Temporal: a page from the browser pool, the logins it may use, its
// screenshots in a folder of artifacts. For a process's own bot tests; the bot worker runs the same
// function through defineBotActivity (heartbeats, hard deadline, evidence), tested once for all in
// test/bots/bot-activity.test.ts.
import { readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { ArtifactStore } from '../../activities/artifacts';
import type { BotContext, BotStep } from '../../activities/bots/bot-activity';
import { StaticClientApps } from '../../activities/bots/client-apps';
import type { Credential } from '../../activities/credentials';
import { BrowserPool } from '../../bots/runtime/browser-pool';

export interface BotStepBenchOptions {
  /** Application name → base URL, e.g. `{ 'claims-system': sandbox.url }`. */
  apps: Record<string, string>;
  /** Login name → credential, as the credential store would resolve them. */
  logins: Record<string, Credential>;
  artifactsDir: string;
}

export class BotStepBench {
  private readonly pool = new BrowserPool({ maxContexts: 1 });
  private readonly store: ArtifactStore;
  /** What each run's step reported with bot.progress(), last run last. */
  readonly progress: Record<string, unknown>[] = [];

  constructor(private readonly options: BotStepBenchOptions) {
    this.store = new ArtifactStore(options.artifactsDir);
  }

  async run<I, O>(step: BotStep<I, O>, input: I, runId = 'bench-run'): Promise<O> {
    const apps = new StaticClientApps(this.options.apps);
    const progress: Record<string, unknown> = {};
    this.progress.push(progress);
    return this.pool.withContext(async (page) => {
      const context: BotContext = {
        page,
        runId,
        attempt: 1,
        apps,
        credential: async (name) => {
          const login = this.options.logins[name];
          if (!login) throw new Error(`No login ${name} on the bench`);
          return login;
        },
        screenshot: async (name) => {
          await this.store.runDir(runId);
          const path = this.store.join(runId, `${name}.png`);
          await page.screenshot({ path, fullPage: true });
          return this.store.keyOf(path);
        },
        progress: (detail) => void Object.assign(progress, detail),
        resume: undefined,
        signal: new AbortController().signal,
        // No run on the bench, so nothing can cancel it.
        beforeWrite: async () => {},
        otherStepsSettled: async () => {},
      };
      return step(context, input);
    });
  }

  /** Keys of every artifact the steps saved. */
  artifacts(): string[] {
    return readdirSync(this.store.root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(this.store.root, `${e.parentPath}/${e.name}`));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

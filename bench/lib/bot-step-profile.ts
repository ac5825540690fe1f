// Where one ClaimReview extract step's time goes: each Playwright call of the step timed on its own,
// against the in-process claims sandbox, on one Chromium.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ClaimsSystem } from '../../bots/claims-system/claims-system';
import { claimItems, sandboxCredentials, startClaimsSandbox } from './bot-sandbox';

const N = Number(process.argv[2] ?? 10);
const sandbox = await startClaimsSandbox();
const dir = await mkdtemp(join(tmpdir(), 'prof-'));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const creds = sandboxCredentials();
const rows: Record<string, number[]> = {};
const t = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const s = performance.now();
  const r = await fn();
  (rows[name] ??= []).push(performance.now() - s);
  return r;
};
for (const [i, item] of claimItems(N).entries()) {
  const total = performance.now();
  const context = await t('newContext', () => browser.newContext());
  const tracing = process.argv[3] === 'trace';
  if (tracing) await t('tracing.start', () => context.tracing.start({ screenshots: true, snapshots: true }));
  const page: Page = await t('newPage', () => context.newPage());
  const cred = creds[item.credential as keyof typeof creds]!;
  const sys = new ClaimsSystem(page, sandbox.url);
  await t('goto /login', () => page.goto(`${sandbox.url}/login`, { waitUntil: 'domcontentloaded' }));
  await t('fill username', () => page.getByTestId('username').fill(cred.username));
  await t('fill password', () => page.getByTestId('password').fill(cred.password));
  await t('click+nav', () => Promise.all([page.waitForURL('**/claims', { waitUntil: 'domcontentloaded' }), page.getByTestId('login-submit').click()]));
  await t('goto claim', () => page.goto(`${sandbox.url}/claims/${item.claimRef}`, { waitUntil: 'domcontentloaded' }));
  await t('read', () => page.evaluate(() => document.querySelector('[data-testid="claim-ref"]')?.textContent));
  await t('screenshot full', () => page.screenshot({ path: join(dir, `a${i}.png`), fullPage: true }));
  await t('screenshot viewport', () => page.screenshot({ path: join(dir, `b${i}.png`) }));
  if (tracing) await t('tracing.stop', () => context.tracing.stop());
  await t('close', () => context.close());
  (rows['TOTAL(prims)'] ??= []).push(performance.now() - total);
  // the page object, same context kind
  const ctx2 = await browser.newContext();
  const p2 = await ctx2.newPage();
  const s2 = new ClaimsSystem(p2, sandbox.url);
  await t('PO login', () => s2.login(cred));
  await t('PO openClaim', () => s2.openClaim(item.claimRef));
  await ctx2.close();
  void sys;
}
for (const [k, v] of Object.entries(rows)) {
  const s = [...v].sort((a, b) => a - b);
  console.log(k.padEnd(22), 'p50', s[Math.floor(s.length / 2)]!.toFixed(1), 'mean', (v.reduce((a, b) => a + b, 0) / v.length).toFixed(1), 'max', s[s.length - 1]!.toFixed(1));
}
await browser.close();
await sandbox.close();

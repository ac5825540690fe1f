// The audit trail read from real run histories: who did what to a task and when, corrections with
// their before and after, refused requests absent, the run's own start, bot steps and close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditTrail } from '../../api/audit/audit-trail';
import type { AuditEntry } from '../../api/audit/audit-entry';
import {
  claimTaskUpdate,
  commentTaskUpdate,
  completeTaskUpdate,
  labelTaskUpdate,
  releaseTaskUpdate,
} from '../../workflows/engine/messages';
import { eventually } from '../support/temporal';
import { actorOf, ClaimReviewRuns, openTask } from './audit.fixtures';

const ana = actorOf('ana.lima');
const ben = actorOf('ben.okafor');
const acmeReviewer = { team: 'claims-review', client: 'acme-health' };

let runs: ClaimReviewRuns;
beforeAll(async () => {
  runs = await ClaimReviewRuns.connect();
});
afterAll(async () => {
  await runs?.close();
});

const actions = (trail: AuditEntry[]) => trail.map((e) => e.action);
const only = (trail: AuditEntry[], action: string) => trail.filter((e) => e.action === action);

describe('buildAuditTrail', () => {
  it('records each accepted task Update with its operator, a correction with before and after, and the run around it', async () => {
    await runs.withWorkers(async (start) => {
      const handle = await start();
      const task = await openTask(handle);
      // Refused by the validator: never written to history, so never in the trail.
      await expect(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'reject', data: {}, actor: ana }] })).rejects.toThrow();
      const claimed = await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.taskId, actor: ana }] });
      await handle.executeUpdate(commentTaskUpdate, { args: [{ taskId: task.taskId, text: 'Line 3 is billed twice', actor: ana }] });
      await handle.executeUpdate(labelTaskUpdate, { args: [{ taskId: task.taskId, add: ['duplicate-line'], actor: ana }] });
      const data = { amountCents: 200_000, reason: 'Duplicate line removed' };
      const leaseId = claimed.claim!.leaseId;
      await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'correct', data, leaseId, actor: ana }] });
      await handle.result();

      const trail = await buildAuditTrail(runs.client, handle.workflowId);
      expect(actions(trail)).toEqual(['started', 'bot-step', 'task-opened', 'claim', 'comment', 'label', 'complete', 'bot-step', 'finished']);
      expect(trail[0]).toMatchObject({ actor: { system: true }, detail: { workflowType: 'claimReview', input: { client: 'acme-health', claimRef: 'CLM-1002' } }, outcome: 'done' });
      expect(only(trail, 'bot-step').map((e) => [(e.detail as { activity: string }).activity, e.outcome])).toEqual([
        ['extractClaim', 'done'],
        ['enterAdjudication', 'done'],
      ]);
      expect(only(trail, 'task-opened')[0]).toMatchObject({ taskId: task.taskId, detail: { kind: 'claim-review.review', team: 'claims-review' } });
      expect(only(trail, 'claim')[0]).toMatchObject({ actor: { operatorId: 'ana.lima', ...acmeReviewer }, taskId: task.taskId, outcome: 'done' });
      expect(only(trail, 'comment')[0]!.detail).toEqual({ text: 'Line 3 is billed twice' });
      expect(only(trail, 'label')[0]!.detail).toEqual({ add: ['duplicate-line'] });
      expect(only(trail, 'complete')).toEqual([
        {
          at: expect.any(String),
          actor: { operatorId: 'ana.lima', ...acmeReviewer },
          action: 'complete',
          taskId: task.taskId,
          detail: { action: 'correct', data, leaseId },
          before: { amountCents: 245_000 },
          after: data,
          outcome: 'done',
        },
      ]);
      expect(trail.at(-1)).toMatchObject({ action: 'finished', detail: { status: 'completed', result: { kind: 'adjudicated', amountCents: 200_000, decidedBy: 'ana.lima' } }, outcome: 'done' });
      // The operator's team and client lists stay out: the entry names the task's own.
      expect(JSON.stringify(trail)).not.toMatch(/"(teams|clients|roles)"/);
      const times = trail.map((e) => Date.parse(e.at));
      expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    });
  });

  it('records approve and reject decisions without before/after, and a business exception as a failed bot step', async () => {
    await runs.withWorkers(async (start) => {
      const approved = await start();
      const rejected = await start();
      const missing = await start('CLM-0404');
      const decide = async (handle: typeof approved, action: string, data: object) => {
        const task = await openTask(handle);
        await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action, data, actor: ben }] });
        await handle.result();
        return only(await buildAuditTrail(runs.client, handle.workflowId), 'complete');
      };

      expect(await decide(approved, 'approve', {})).toEqual([
        { at: expect.any(String), actor: { operatorId: 'ben.okafor', ...acmeReviewer }, action: 'complete', taskId: expect.any(String), detail: { action: 'approve', data: {} }, outcome: 'done' },
      ]);
      const [rejection] = await decide(rejected, 'reject', { reason: 'Not covered by the policy' });
      expect(rejection).toMatchObject({ detail: { action: 'reject', data: { reason: 'Not covered by the policy' } }, outcome: 'done' });
      expect(rejection).not.toHaveProperty('before');

      const [skip] = await decide(missing, 'skip', { reason: 'Claim withdrawn by the member' });
      expect(skip).toMatchObject({ actor: { operatorId: 'ben.okafor' }, detail: { action: 'skip' } });
      const trail = await buildAuditTrail(runs.client, missing.workflowId);
      expect(actions(trail)).toEqual(['started', 'bot-step', 'task-opened', 'complete', 'finished']);
      expect(trail[1]).toMatchObject({ outcome: 'failed', detail: { activity: 'extractClaim', failure: { type: 'BusinessException', message: 'Claim CLM-0404 not found' } } });
      expect(trail.at(-1)).toMatchObject({ detail: { status: 'completed', result: { kind: 'skipped' } } });
    });
  });

  it('records what the run did by itself: a lapsed lease, the cancellation and its cancelled task', async () => {
    await runs.withWorkers(async (start) => {
      const handle = await start();
      const task = await openTask(handle);
      await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.taskId, actor: ana }] });
      await handle.executeUpdate(releaseTaskUpdate, { args: [{ taskId: task.taskId, actor: ana }] });
      await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.taskId, leaseMs: 1_000, actor: ben }] });
      const expired = await eventually(
        async () => only(await buildAuditTrail(runs.client, handle.workflowId), 'task-lease-expired')[0],
        'the lease to lapse',
      );
      expect(expired).toEqual({ at: expect.any(String), actor: { system: true }, action: 'task-lease-expired', taskId: task.taskId, detail: { note: 'ben.okafor' }, outcome: 'done' });

      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      const trail = await buildAuditTrail(runs.client, handle.workflowId);
      expect(actions(trail)).toEqual(['started', 'bot-step', 'task-opened', 'claim', 'release', 'claim', 'task-lease-expired', 'cancel-requested', 'task-cancelled', 'finished']);
      expect(trail.map((e) => e.actor)).toContainEqual({ operatorId: 'ben.okafor', ...acmeReviewer });
      expect(trail.at(-1)).toMatchObject({ detail: { status: 'cancelled' }, outcome: 'failed' });
    });
  });
});

// Reads the attended-bot guard of many triggers with one Query per run: a run answers Queries one
// at a time, so twenty triggers arriving together would otherwise queue twenty round trips to the
// worker. While one Query for a run is out, the next triggers gather for the one after it.
import type { Client } from '@temporalio/client';
import * as m from '../../workflows/engine/messages';

interface Waiting {
  trigger: { request: m.TriggerTaskBotRequest; updateId?: string };
  resolve: (preview: m.TriggerPreview) => void;
  reject: (err: unknown) => void;
}

export class PreviewBatches {
  private readonly gathering = new Map<string, Waiting[]>();
  private readonly asking = new Set<string>();

  constructor(private readonly temporal: Client) {}

  preview(runId: string, request: m.TriggerTaskBotRequest, updateId: string | undefined): Promise<m.TriggerPreview> {
    return new Promise((resolve, reject) => {
      const batch = this.gathering.get(runId) ?? [];
      batch.push({ trigger: { request, ...(updateId ? { updateId } : {}) }, resolve, reject });
      this.gathering.set(runId, batch);
      if (!this.asking.has(runId)) void this.ask(runId);
    });
  }

  private async ask(runId: string): Promise<void> {
    const batch = this.gathering.get(runId);
    if (!batch?.length) return;
    this.gathering.delete(runId);
    this.asking.add(runId);
    try {
      const previews = await this.temporal.workflow.getHandle(runId).query(m.previewTaskBotsQuery, batch.map((w) => w.trigger));
      batch.forEach((w, i) => w.resolve(previews[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.asking.delete(runId);
      void this.ask(runId);
    }
  }
}

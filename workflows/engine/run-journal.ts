// What a run is doing right now and what it has done: the source of GET /runs/{id} and of the
// coarse search attributes. Plain state, fed by ProcessRun.
import type { RunPhase, RunStepView, WaitingOn } from './messages';

export class RunJournal {
  phase: RunPhase = 'running';
  waitingOn?: WaitingOn;
  outcome?: unknown;
  readonly steps: RunStepView[] = [];

  get currentStep(): string | undefined {
    const last = this.steps[this.steps.length - 1];
    return last && !last.endedAt ? last.step : undefined;
  }

  beginStep(step: string, now: string): void {
    this.endStep(now, 'ok');
    this.steps.push({ step, startedAt: now });
  }

  endStep(now: string, result: RunStepView['result'], note?: string): void {
    const last = this.steps[this.steps.length - 1];
    if (last && !last.endedAt) Object.assign(last, { endedAt: now, result, ...(note ? { note } : {}) });
  }

  wait(on: WaitingOn): void {
    this.waitingOn = on;
    this.phase = on.kind === 'human' ? 'waiting-human' : on.kind === 'bot' ? 'waiting-bot' : 'running';
  }

  resume(): void {
    this.waitingOn = undefined;
    this.phase = 'running';
  }

  finish(phase: 'completed' | 'failed' | 'cancelled', now: string, outcome?: unknown): void {
    this.endStep(now, phase === 'completed' ? 'ok' : 'exception');
    this.waitingOn = undefined;
    this.phase = phase;
    this.outcome = outcome;
  }
}

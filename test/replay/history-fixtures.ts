// The replay gate's fixtures: histories of real runs, recorded from the real stack by
// scripts/record-histories.ts (`npm run replay:record`) into each process folder's `histories/`,
// and replayed against the current workflow code by test/replay/replay.test.ts.
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import { WORKFLOWS_DIR } from '../../platform/process-catalogue';
import { AesGcmPayloadCodec, Keyring } from '../../platform/payload-codec';

/**
 * The payload key the fixtures are encrypted with, committed so the gate can decode them. It
 * encrypts sandbox data only (made-up claims, timesheets and customers), so it is not a secret;
 * never configure it for a stack that holds real data. The recorder gives it to the stack it runs,
 * so the fixtures are encrypted exactly as production history is (AES-GCM through the codec).
 */
export const FIXTURE_PAYLOAD_KEYS = 'replay-fixtures-1:Oy8t6PoiQfdM+lM5DGIm4wEZiQPR5tMhP5lFmTtYnbU=';
export const FIXTURE_KEY_ID = 'replay-fixtures-1';

export function fixtureDataConverter(): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(Keyring.parse(FIXTURE_PAYLOAD_KEYS, 'the replay fixtures key'))] };
}

/** What the recorder knows of the run that a history file holds. */
export interface RecordedRun {
  process: string;
  /** Where the run was when its history was fetched: `started`, `waiting-at-review`, `mid-batch`, `finished`, … */
  point: string;
  workflowType: string;
  workflowId: string;
  runId: string;
  recordedAt: string;
}

export interface HistoryFixture extends RecordedRun {
  /** `<process>/<point>` (`<process>/<kept>/<point>` for a kept recording): how a failure names it. */
  name: string;
  file: string;
  history: History;
}

const HISTORIES = 'histories';

export function fixtureFile(process: string, point: string, workflowsDir = WORKFLOWS_DIR): string {
  return join(workflowsDir, process, HISTORIES, `${point}.json`);
}

/**
 * Writes the history in the SDK's own JSON form (historyToJSON, as `temporal workflow show
 * --output json` does), one event a line, with what is known of the run beside the events.
 */
export function writeHistoryFixture(run: RecordedRun, history: History, workflowsDir = WORKFLOWS_DIR): string {
  const file = fixtureFile(run.process, run.point, workflowsDir);
  mkdirSync(join(workflowsDir, run.process, HISTORIES), { recursive: true });
  const { events } = JSON.parse(historyToJSON(history)) as { events: unknown[] };
  const lines = events.map((e) => JSON.stringify(e));
  writeFileSync(file, `{"recorded":${JSON.stringify(run)},\n"events":[\n${lines.join(',\n')}\n]}\n`);
  return file;
}

export function readHistoryFixture(file: string, name: string): HistoryFixture {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { recorded: RecordedRun; events: unknown[] };
  return { ...json.recorded, name, file, history: historyFromJSON({ events: json.events }) };
}

/**
 * Every fixture under workflows/<process>/histories/, in a stable order: the latest recording, and
 * earlier ones kept in subfolders (`histories/<kept>/`) while runs of older code may be in flight.
 */
export function historyFixtures(workflowsDir = WORKFLOWS_DIR): HistoryFixture[] {
  const jsonIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return readdirSync(workflowsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(workflowsDir, e.name, HISTORIES)))
    .map((e) => e.name)
    .sort()
    .flatMap((process) => {
      const dir = join(workflowsDir, process, HISTORIES);
      const kept = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      return ['', ...kept].flatMap((sub) => jsonIn(join(dir, sub)).map((f) => readHistoryFixture(join(dir, sub, f), join(process, sub, f.replace(/\.json$/, '')))));
    });
}

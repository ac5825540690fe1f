// The custom search attributes every Tandem run carries, declared once: the workflows set them,
// the API, metrics and the inbox rebuild query them, and the stack registers them, all from this
// list. The dev server's SQLite visibility allows at most 10 Keyword and 3 of each other type per
// namespace, so it is spent with care. scripts/stack.sh registers exactly these at server start
// (via scripts/print-search-attributes.ts), docker-compose.yml too (test/compose.test.ts checks).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  /** Client company the run works for: every inbox and audit query filters on it. */
  client: defineSearchAttributeKey('TandemClient', SearchAttributeType.KEYWORD),
  /** Process name, e.g. `claim-review`. */
  process: defineSearchAttributeKey('TandemProcess', SearchAttributeType.KEYWORD),
  /** Business reference of the run (claim number, payroll period): operators search by it. */
  businessRef: defineSearchAttributeKey('TandemBusinessRef', SearchAttributeType.KEYWORD),
  /** Coarse run phase for dashboards: running | waiting-human | waiting-bot | completed | failed. */
  status: defineSearchAttributeKey('TandemRunStatus', SearchAttributeType.KEYWORD),
  /** Teams that have an open task in this run: lets the inbox index be rebuilt from visibility. */
  teams: defineSearchAttributeKey('TandemTeams', SearchAttributeType.KEYWORD_LIST),
  /** Number of open human tasks in this run. */
  openTasks: defineSearchAttributeKey('TandemOpenTasks', SearchAttributeType.INT),
} as const;

/** Temporal's own, set on every scheduled run (backfills and catch-ups included): the fire's nominal time. */
export const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** Name → type of every custom attribute, as the server registers them. */
export const TANDEM_SEARCH_ATTRIBUTES: Readonly<Record<string, `${SearchAttributeType}`>> = Object.fromEntries(
  Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, key.type]),
);

/** The CLI's `--search-attribute Name=Type` spelling. */
const CLI_TYPE_NAMES: Record<string, string> = {
  KEYWORD: 'Keyword',
  KEYWORD_LIST: 'KeywordList',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
};

export function searchAttributeCliFlags(): string[] {
  return Object.entries(TANDEM_SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${CLI_TYPE_NAMES[type]}`);
}

// The custom search attributes every Tandem run carries. The dev server's SQLite visibility allows
// at most 10 Keyword and 3 of each other type per namespace, so this list is spent with care.
// scripts/stack.sh registers exactly these at server start (via scripts/print-search-attributes.ts).
import type { SearchAttributeType } from '@temporalio/common';

export const TANDEM_SEARCH_ATTRIBUTES = {
  /** Client company the run works for: every inbox and audit query filters on it. */
  TandemClient: 'KEYWORD',
  /** Process name, e.g. `claim-review`. */
  TandemProcess: 'KEYWORD',
  /** Business reference of the run (claim number, payroll period): operators search by it. */
  TandemBusinessRef: 'KEYWORD',
  /** Coarse run phase for dashboards: running | waiting-human | waiting-bot | completed | failed. */
  TandemRunStatus: 'KEYWORD',
  /** Teams that have an open task in this run: lets the inbox index be rebuilt from visibility. */
  TandemTeams: 'KEYWORD_LIST',
  /** Number of open human tasks in this run. */
  TandemOpenTasks: 'INT',
} as const satisfies Record<string, `${SearchAttributeType}`>;

export type TandemSearchAttributeName = keyof typeof TANDEM_SEARCH_ATTRIBUTES;

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
  return Object.entries(TANDEM_SEARCH_ATTRIBUTES).map(
    ([name, type]) => `${name}=${CLI_TYPE_NAMES[type]}`,
  );
}

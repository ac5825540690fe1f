import type { Page } from 'playwright-core';

/**
 * Reads the text of `data-testid` elements in one round trip, without Playwright's auto-waiting:
 * the pages are server-rendered, so a missing element means the screen changed, not "not yet".
 */
export async function readTestIds<K extends string>(page: Page, ids: readonly K[]): Promise<Record<K, string | null>> {
  return page.evaluate(
    (wanted) =>
      Object.fromEntries(
        wanted.map((id) => [id, document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? null]),
      ),
    [...ids],
  ) as Promise<Record<K, string | null>>;
}

/** Every row matching `rowTestId`, each read as the texts of its `cellTestIds`. */
export async function readRows<K extends string>(
  page: Page,
  rowTestId: string,
  cellTestIds: readonly K[],
): Promise<Array<Record<K, string | null>>> {
  return page.evaluate(
    ({ row, cells }) =>
      Array.from(document.querySelectorAll(`[data-testid="${row}"]`)).map((el) =>
        Object.fromEntries(cells.map((id) => [id, el.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? null])),
      ),
    { row: rowTestId, cells: [...cellTestIds] },
  ) as Promise<Array<Record<K, string | null>>>;
}

/** `error-<field>` markers of a refused form, as `{ field: message }`. */
export async function readFieldErrors(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll('[data-testid^="error-"]')).map((el) => [
        (el.getAttribute('data-testid') ?? '').slice('error-'.length),
        el.textContent?.trim() ?? '',
      ]),
    ),
  );
}

/** "2,450.00" → 245000. Parsed as text: floating point never touches money. */
export function parseDisplayedCents(text: string): number {
  const match = /^(\d{1,3}(?:,\d{3})*|\d+)\.(\d{2})$/.exec(text.trim());
  if (!match) throw new Error(`unexpected amount format on the claims system page: ${JSON.stringify(text)}`);
  return Number((match[1] ?? '').replace(/,/g, '')) * 100 + Number(match[2]);
}

/** 245000 → "2450.00", the way a clerk types it. */
export function formatCentsForInput(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`amountCents must be a non-negative integer, got ${cents}`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

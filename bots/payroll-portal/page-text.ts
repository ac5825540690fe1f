// Reading and typing the portal's numbers. Parsed as text: floating point never touches money.
export { readFieldErrors, readRows, readTestIds } from '../claims-system/page-text';

/** "-1,234.50" → -123450. */
export function parseSignedCents(text: string): number {
  const match = /^(-?)(\d{1,3}(?:,\d{3})*|\d+)\.(\d{2})$/.exec(text.trim());
  if (!match) throw new Error(`unexpected amount format on the payroll portal page: ${JSON.stringify(text)}`);
  const cents = Number((match[2] ?? '').replace(/,/g, '')) * 100 + Number(match[3]);
  return match[1] === '-' ? -cents : cents;
}

/** "" → 0 (the portal leaves empty amounts blank), else as parseSignedCents. */
export function parseOptionalCents(text: string | null): number {
  return text === null || text.trim() === '' ? 0 : parseSignedCents(text);
}

/** "7.5", "-8", "160" → hours. */
export function parseHours(text: string | null): number {
  const trimmed = (text ?? '').trim();
  if (!/^-?\d+(?:\.\d+)?$/.test(trimmed)) throw new Error(`unexpected hours format on the payroll portal page: ${JSON.stringify(text)}`);
  return Number(trimmed);
}

/** -123450 → "-1234.50", the way a clerk types it. */
export function formatCentsForInput(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amountCents must be an integer, got ${cents}`);
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 7.5 → "7.5"; at most 2 decimals, as the portal accepts. */
export function formatHoursForInput(hours: number): string {
  if (!Number.isFinite(hours)) throw new RangeError(`hours must be a finite number, got ${hours}`);
  return String(Math.round(hours * 100) / 100);
}

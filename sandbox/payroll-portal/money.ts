/** -12345 → "-123.45", 245000 → "2,450.00" */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/** "2450", "-12.5", "2450.50" → cents; anything else (3 decimals, commas, blanks) → undefined. */
export function parseAmountToCents(text: string): number | undefined {
  const match = /^(-?)(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}

/** "7.5", "-8", "160" → hours with at most 2 decimals; anything else → undefined. */
export function parseHours(text: string): number | undefined {
  const trimmed = text.trim();
  return /^-?\d{1,3}(?:\.\d{1,2})?$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** Regular pay of a line: hours × rate, never negative, rounded to the cent. */
export function regularPayCents(regularHours: number, hourlyRateCents: number): number {
  return Math.round((Math.max(0, Math.round(regularHours * 100)) * hourlyRateCents) / 100);
}

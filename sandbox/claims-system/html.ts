// Money as the claims system shows and reads it.

/** 245000 → "2,450.00" */
export function formatCents(cents: number): string {
  const whole = Math.floor(cents / 100).toLocaleString('en-US');
  return `${whole}.${String(cents % 100).padStart(2, '0')}`;
}

/** "2450", "2450.5", "2450.50" → cents; anything else (negative, 3 decimals, commas) → undefined. */
export function parseAmountToCents(text: string): number | undefined {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

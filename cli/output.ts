// What people read: aligned tables, label/value blocks, durations and times; and `--json`, which
// prints the API's own answer for scripts.

export interface OutputFlags {
  json?: boolean;
}

/** Prints `data` as JSON with --json, else the human rendering. */
export function emit(flags: OutputFlags, data: unknown, human: () => string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

/** Columns padded to their widest cell; `(none)` for no rows. */
export function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n');
}

/** `Label  value` lines, aligned; pairs without a value are left out. */
export function fields(pairs: Array<[string, string | undefined]>): string {
  const shown = pairs.filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '');
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** 45s, 12m, 3h 5m, 2d 4h. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** A time as people compare them across zones: `2026-12-07 12:03:04Z`. */
export function when(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+/, '').replace(/\+00:00$/, 'Z') : '';
}

/** `2h 10m left` or `overdue 5m`. */
export function timeLeft(dueAt: string | undefined, now = Date.now()): string {
  if (!dueAt) return '';
  const left = Date.parse(dueAt) - now;
  return left >= 0 ? `${duration(left)} left` : `overdue ${duration(-left)}`;
}

/** `since 12:03:04Z (4m)`. */
export function since(iso: string, now = Date.now()): string {
  return `since ${when(iso)} (${duration(now - Date.parse(iso))})`;
}

/** A value in one line: strings as they are, the rest as compact JSON. */
export function compact(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

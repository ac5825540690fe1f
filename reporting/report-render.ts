// The service report as a person reads it: CSV of the runs behind the figures, and a printable
// HTML page (print to PDF from the browser).
import type { ServiceLevel } from '../workflows/engine/service-level';
import type { KpiReport } from './kpi-report';

const cell = (v: unknown): string => {
  const text = Array.isArray(v) ? v.join('|') : v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"` : text;
};

export function itemsCsv(rows: Array<Record<string, unknown>>): string {
  const columns = rows[0] ? Object.keys(rows[0]) : ['run_id'];
  const withIso = (k: string, v: unknown) => (k.endsWith('_ms') && (k === 'received_ms' || k === 'closed_ms') && v !== null ? new Date(Number(v)).toISOString() : v);
  return [columns.join(','), ...rows.map((r) => columns.map((k) => cell(withIso(k, r[k]))).join(','))].join('\n') + '\n';
}

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (r: number | null): string => (r === null ? '–' : `${(r * 100).toFixed(1)} %`);
const hours = (ms: number | null): string => (ms === null ? '–' : `${(ms / 3_600_000).toFixed(1)} h`);

/** `clientName`: how the client is called on the page (the directory's name; its id by default). */
export function printableReport(period: string, r: KpiReport, levels: ServiceLevel[], clientName: string = r.client): string {
  const line = (label: string, value: string, target = '') => `<tr><th>${esc(label)}</th><td>${esc(value)}</td><td>${esc(target)}</td></tr>`;
  const level = levels.find((l) => l.process === r.process);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Service report ${esc(clientName)} ${esc(period)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:50rem}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}</style></head>
<body><h1>Service report: ${esc(clientName)}${r.process ? ` · ${esc(r.process)}` : ''}</h1><p>Period ${esc(period)} (${esc(r.from)} – ${esc(r.to)})${level ? `, service level version ${level.version}` : ''}</p>
<table><thead><tr><th>KPI</th><th>Measured</th><th>Target</th></tr></thead><tbody>
${line('Items completed', String(r.volume.completed))}
${line('Turnaround within target', pct(r.turnaround.attainment), r.turnaround.target === null ? '' : `≥ ${pct(r.turnaround.target)}`)}
${line('Turnaround p50 / p90', `${hours(r.turnaround.p50Ms)} / ${hours(r.turnaround.p90Ms)}`)}
${line('Breaches (completed / open past target)', `${r.turnaround.breaches} / ${r.backlog?.buckets.breached ?? 0}`)}
${line('Straight-through rate', pct(r.straightThrough.rate), r.straightThrough.target === null ? '' : `≥ ${pct(r.straightThrough.target)}`)}
${line('First-pass yield', pct(r.firstPassYield.rate))}
${line('Quality (sampled)', `${pct(r.quality.passRate)} of ${r.quality.reviewed}${r.quality.interval95 ? ` (95 %: ${pct(r.quality.interval95[0] ?? null)}–${pct(r.quality.interval95[1] ?? null)})` : ''}`, r.quality.target === null ? '' : `≥ ${pct(r.quality.target)}`)}
${line('Business / system exceptions', `${pct(r.exceptions.business.rate)} / ${pct(r.exceptions.system.rate)}`)}
${line('Cost per transaction', r.cost.perTransaction === null ? '–' : `${r.cost.perTransaction.toFixed(2)} ${r.cost.currency ?? ''}`)}
</tbody></table></body></html>`;
}

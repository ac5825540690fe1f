// The overview's four charts, drawn by Chart.js (served from node_modules: no CDN), each with the
// same numbers as a table beneath it for screen readers, printing and anyone who prefers figures.
import { h } from './dom.js';

const ACCENT = '#1f5fbf';
const LINE = '#b3261e';
const MUTED = '#9aa3af';
const SYSTEM = '#7a4d00';

const pctText = (r) => (r === null || r === undefined ? '–' : `${(r * 100).toFixed(1)} %`);
const binLabel = (bins, i) => {
  const hours = (ms) => `${ms / 3_600_000} h`;
  const up = bins[i].upToMs;
  if (i === 0) return `≤ ${hours(up)}`;
  return up === null ? `> ${hours(bins[i - 1].upToMs)}` : `${hours(bins[i - 1].upToMs)}–${hours(up)}`;
};

/** A chart's panel: the canvas (an image to assistive technology, named by its summary) and its table. */
function panel(id, title, summary, columns, rows, config) {
  const canvas = h('canvas', { id: `${id}-canvas`, role: 'img', 'aria-label': `${title}: ${summary}` });
  const table = h('table', { class: 'audit chart-table', id: `${id}-table` },
    h('caption', { class: 'sr-only' }, title),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) => (i === 0 ? h('th', { scope: 'row' }, v) : h('td', {}, v)))))));
  const el = h('section', { class: 'panel chart', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    h('div', { class: 'canvas-box' }, canvas),
    h('details', {}, h('summary', {}, 'Show as table'), table));
  let chart;
  return {
    el,
    draw() {
      if (!window.Chart) return void canvas.replaceWith(h('p', { class: 'muted' }, 'Charts are unavailable; the table below has the figures.'));
      chart = new window.Chart(canvas, { ...config, options: { animation: false, maintainAspectRatio: false, responsive: true, ...config.options } });
    },
    destroy: () => chart?.destroy(),
  };
}

/** `targetMs`: the service level's turnaround target, to tell the bins past it (none: one colour). */
export function chartPanels(r, targetMs) {
  const step = r.granularity;
  const stepHeading = { day: 'Day', week: 'Week starting', month: 'Month' }[step] ?? step;
  const bins = r.turnaround.histogram;
  const labels = bins.map((_, i) => binLabel(bins, i));
  const past = (all, i) => Boolean(targetMs) && i > 0 && all[i - 1].upToMs >= targetMs;
  const series = r.series;
  const reasons = [
    ...r.exceptions.business.reasons.map((x) => ({ ...x, kind: 'Business' })),
    ...r.exceptions.system.reasons.map((x) => ({ ...x, kind: 'System' })),
  ];
  const charts = [
    // Bins wholly past the target in red, as their own dataset, so the legend says what red means.
    panel('chart-turnaround', 'Turnaround distribution', `${r.turnaround.measured} completed items by turnaround${targetMs ? `, target ${targetMs / 3_600_000} h` : ''}`,
      ['Turnaround', 'Items'], bins.map((b, i) => [labels[i], b.items]), {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: 'Within target', data: bins.map((b, i) => (!past(bins, i) ? b.items : null)), backgroundColor: ACCENT, grouped: false },
            ...(targetMs ? [{ label: 'Past target', data: bins.map((b, i) => (past(bins, i) ? b.items : null)), backgroundColor: LINE, grouped: false }] : []),
          ],
        },
        options: { plugins: { legend: { display: Boolean(targetMs) } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'items' } } } },
      }),
    panel('chart-volume', 'Volume and backlog', `completed items and open backlog per ${step}`, [stepHeading, 'Completed', 'Backlog at end'], series.map((p) => [p.bucket, p.completed, p.backlog ?? '–']), {
      type: 'bar',
      data: {
        labels: series.map((p) => p.bucket),
        datasets: [
          { type: 'bar', label: 'Completed', data: series.map((p) => p.completed), backgroundColor: ACCENT, order: 2 },
          { type: 'line', label: 'Backlog at end', data: series.map((p) => p.backlog ?? null), borderColor: LINE, backgroundColor: LINE, order: 1 },
        ],
      },
      options: { scales: { x: { title: { display: true, text: stepHeading.toLowerCase() } }, y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'items' } } } },
    }),
    panel('chart-sla', `SLA compliance by ${step}`, `share of items within the turnaround target per ${step}, target ${pctText(r.turnaround.target)}`,
      [stepHeading, 'Within target', 'Completed', 'Attainment'], series.map((p) => [p.bucket, p.withinTarget, p.completed, pctText(p.attainment)]), {
        type: 'bar',
        data: {
          labels: series.map((p) => p.bucket),
          datasets: [
            { type: 'bar', label: 'Within target (%)', data: series.map((p) => (p.attainment === null ? null : +(p.attainment * 100).toFixed(1))), backgroundColor: series.map((p) => (r.turnaround.target !== null && p.attainment !== null && p.attainment < r.turnaround.target ? LINE : ACCENT)), order: 2 },
            ...(r.turnaround.target === null ? [] : [{ type: 'line', label: `Target (${pctText(r.turnaround.target)})`, data: series.map(() => r.turnaround.target * 100), borderColor: MUTED, borderDash: [6, 4], pointRadius: 0, order: 1 }]),
          ],
        },
        options: { scales: { x: { title: { display: true, text: stepHeading.toLowerCase() } }, y: { min: 0, max: 100, title: { display: true, text: '% within target' } } } },
      }),
    panel('chart-exceptions', 'Exceptions by cause', reasons.length ? reasons.map((x) => `${x.code} ${x.items}`).join(', ') : 'no exceptions', ['Cause', 'Kind', 'Items'], reasons.map((x) => [x.code, x.kind, x.items]), {
      type: 'bar',
      // One dataset per kind, not grouped: each cause keeps one bar, and the legend names the colours.
      data: {
        labels: reasons.map((x) => x.code),
        datasets: ['Business', 'System'].map((kind) => ({ label: `${kind} exceptions`, data: reasons.map((x) => (x.kind === kind ? x.items : null)), backgroundColor: kind === 'System' ? SYSTEM : ACCENT, grouped: false })),
      },
      options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    }),
  ];
  return { panels: charts.map((c) => c.el), charts };
}


// One verdict line per scenario: PASS or FAIL, then its figures, so a run's output is its report.
export interface Verdict {
  scenario: string;
  pass: boolean;
  figures: Record<string, string | number>;
  notes?: string[];
}

export function verdictLine(v: Verdict): string {
  const figures = Object.entries(v.figures).map(([k, value]) => `${k}=${value}`).join(' ');
  return `VERDICT ${v.scenario}: ${v.pass ? 'PASS' : 'FAIL'} ${figures}${v.notes?.length ? ` (${v.notes.join('; ')})` : ''}`;
}

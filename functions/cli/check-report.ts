// The data-quality check report as text for a terminal: one line per check (✓/✗), its details indented below.
import type { CheckReport } from '../core/checks/index.js';

/** One line per check (✓/✗, failures), its details indented below. */
export function formatCheckReport(report: CheckReport): string {
  const failed = report.checks.filter((c) => !c.ok).length;
  const span = (r: { readonly from: string; readonly to: string }): string =>
    r.from === r.to ? r.from : `${r.from} … ${r.to}`;
  const spans = report.ranges ?? [report.range];
  // No range: a pending run whose every marker named an impossible date (the markers check says which).
  const what = spans.length > 0 ? spans.map(span).join(', ') : 'no chart date';
  const lines = [
    `Checks of ${what} (${report.checked.chartDays} chart days, ${report.checked.songRows} song rows): ` +
      (failed === 0 ? 'all passed' : `${failed} of ${report.checks.length} failed`),
  ];
  const width = Math.max(...report.checks.map((c) => c.name.length));
  for (const check of report.checks) {
    const failures =
      (check.ok ? '' : `  ${check.failures} failure${check.failures === 1 ? '' : 's'}`) +
      (check.notes > 0 ? `  ${check.notes} note${check.notes === 1 ? '' : 's'}` : '');
    lines.push(`${check.ok ? '✓' : '✗'} ${check.name.padEnd(width)}${failures}`.trimEnd());
    for (const detail of check.details) lines.push(`    ${detail}`);
  }
  return lines.join('\n');
}

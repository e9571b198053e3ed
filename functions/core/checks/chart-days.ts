// The chart days of a scope (one row per chart and date): what the coverage and ranks checks judge.
import type { QueryEngine } from '#functions/ports.js';
import { within, type Scope } from './scope.js';
import { day, num, text } from './values.js';

export interface ChartDay {
  readonly chartId: string;
  readonly date: string;
  readonly lastPosition: number;
  /** Rows of the offline demo, whose chart has no fixed size (older lakes hold it as regional-global-daily). */
  readonly demo: boolean;
}

export async function queryChartDays(engine: QueryEngine, scope: Scope): Promise<ChartDay[]> {
  const { rows } = await engine.query(`
    SELECT chart_id, snapshot_date, count(*) AS n, max(position) AS last_position,
           sum(CASE WHEN source_kind = 'demo' THEN 1 ELSE 0 END) AS demo_rows
    FROM song_data
    WHERE ${within(scope)}
    GROUP BY chart_id, snapshot_date
    ORDER BY chart_id, snapshot_date`);
  return rows.map((row) => ({
    chartId: text(row.chart_id),
    date: day(row.snapshot_date),
    lastPosition: num(row.last_position) ?? 0,
    demo: (num(row.demo_rows) ?? 0) === (num(row.n) ?? 0),
  }));
}

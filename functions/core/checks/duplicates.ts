// The duplicates check: one run per chart day, and no rank, album or artist twice within a run.
import { TABLES, type TableName } from '../lake.js';
import type { QueryEngine } from '#functions/ports.js';
import type { Issue } from './report.js';
import { within, type Scope } from './scope.js';
import { day, num, text } from './values.js';

/** Chart days written by more than one run: a re-run that did not replace the earlier one. */
async function runsPerDay(engine: QueryEngine, scope: Scope): Promise<Issue[]> {
  const runs = await engine.query(
    TABLES.map(
      (t) =>
        `SELECT '${t}' AS table_name, chart_id, snapshot_date, run_id, count(*) AS n FROM ${t} WHERE ${within(scope)} GROUP BY chart_id, snapshot_date, run_id`,
    ).join(' UNION ALL ') + ' ORDER BY chart_id, snapshot_date, run_id, table_name',
  );
  const byDay = new Map<string, Map<string, string[]>>();
  for (const row of runs.rows) {
    const where = `${text(row.chart_id)} ${day(row.snapshot_date)}`;
    const ofDay = byDay.get(where) ?? new Map<string, string[]>();
    byDay.set(where, ofDay);
    const ofRun = ofDay.get(text(row.run_id)) ?? [];
    ofDay.set(text(row.run_id), ofRun);
    ofRun.push(`${text(row.n)} ${text(row.table_name)}`);
  }
  const issues: Issue[] = [];
  for (const [where, ofDay] of byDay) {
    if (ofDay.size < 2) continue;
    const list = [...ofDay].map(([run, counts]) => `${run}: ${counts.join(', ')}`).join('; ');
    issues.push({
      line: `${where}: ${ofDay.size} runs (${list}): a re-run did not replace the earlier one, the day counts twice`,
    });
  }
  return issues;
}

/** Ranks that appear more than once within one run of a chart day. */
async function ranksTwice(engine: QueryEngine, scope: Scope): Promise<Issue[]> {
  const positions = await engine.query(`
    SELECT chart_id, snapshot_date, run_id, position, count(*) AS n,
           count(DISTINCT coalesce(song_id, song_name)) AS songs, min(song_name) AS song_name
    FROM song_data
    WHERE ${within(scope)}
    GROUP BY chart_id, snapshot_date, run_id, position
    HAVING count(*) > 1
    ORDER BY chart_id, snapshot_date, position, run_id`);
  return positions.rows.map((row) => {
    const songs = num(row.songs) ?? 0;
    const what = songs <= 1 ? `"${text(row.song_name)}" each time` : `${songs} different songs`;
    return {
      line: `${text(row.chart_id)} ${day(row.snapshot_date)}: rank ${text(row.position)} appears ${text(row.n)} times in run ${text(row.run_id)} (${what})`,
    };
  });
}

/** Albums and artists that appear more than once within one run of a chart day. */
async function keysTwice(engine: QueryEngine, scope: Scope): Promise<Issue[]> {
  const keys: [TableName, string, string][] = [
    ['album_data', 'album_id', 'album'],
    ['artist_data', 'artist_id', 'artist'],
  ];
  const issues: Issue[] = [];
  for (const [table, key, label] of keys) {
    const { rows } = await engine.query(`
      SELECT chart_id, snapshot_date, run_id, ${key} AS id, count(*) AS n
      FROM ${table}
      WHERE ${within(scope)}
      GROUP BY chart_id, snapshot_date, run_id, ${key}
      HAVING count(*) > 1
      ORDER BY chart_id, snapshot_date, ${key}`);
    for (const row of rows) {
      issues.push({
        line: `${table} ${text(row.chart_id)} ${day(row.snapshot_date)}: ${label} ${text(row.id)} appears ${text(row.n)} times in run ${text(row.run_id)}`,
      });
    }
  }
  return issues;
}

export async function duplicates(engine: QueryEngine, scope: Scope): Promise<Issue[]> {
  return [
    ...(await runsPerDay(engine, scope)),
    ...(await ranksTwice(engine, scope)),
    ...(await keysTwice(engine, scope)),
  ];
}

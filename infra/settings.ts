// The stack's settings: defaults, parsing from CDK context (`cdk.json` or `-c key=value`), and synth-time checks.
import { RemovalPolicy } from 'aws-cdk-lib';
import { loadConfig } from '#functions/config.js';
import { ConfigError } from '#functions/errors.js';

export interface SpotifyEtlSettings {
  /** EventBridge Scheduler expression, in UTC. */
  readonly scheduleExpression: string;
  /** When the data-quality checks run, in UTC; absent: one hour after a daily cron `scheduleExpression`. */
  readonly checkScheduleExpression?: string;
  /** Receives alarm e-mails (after confirming the subscription); none when absent. */
  readonly alarmEmail?: string;
  /** GZIP the raw objects Firehose writes (the transformer reads both). */
  readonly rawGzip: boolean;
  /** CHART_SOURCE for the extractor: `charts-csv` (the inbox) or `playlist:<id>`. */
  readonly chartSource: string;
  /** What deleting the stack does to the buckets: RETAIN keeps the data. */
  readonly dataRemovalPolicy: RemovalPolicy;
  /** Also run the extractor when a Charts CSV lands in the inbox, not only on the schedule. */
  readonly inboxOnArrival: boolean;
}

export const DEFAULT_SETTINGS: SpotifyEtlSettings = {
  scheduleExpression: 'cron(0 16 * * ? *)',
  rawGzip: false,
  chartSource: 'charts-csv',
  dataRemovalPolicy: RemovalPolicy.RETAIN,
  inboxOnArrival: false,
};

type Context = (key: string) => unknown;

function text(get: Context, key: string): string | undefined {
  const v = get(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string')
    throw new ConfigError(`Context ${key}=${JSON.stringify(v)} is not valid: expected a string.`);
  return v.trim();
}

/** `-c rawGzip=true` arrives as a string, cdk.json gives a boolean: both are accepted. */
function flag(get: Context, key: string, fallback: boolean): boolean {
  const v = get(key);
  if (v === undefined || v === null || v === '') return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ConfigError(`Context ${key}=${JSON.stringify(v)} is not valid: expected true or false.`);
}

function schedule(key: string, expression: string): string {
  if (!/^(cron|rate|at)\(.+\)$/.test(expression)) {
    throw new ConfigError(`Context ${key}="${expression}" is not valid.`, {
      hint: 'Use an EventBridge Scheduler expression such as cron(0 16 * * ? *) or rate(1 day).',
    });
  }
  return expression;
}

/**
 * Reads scheduleExpression, checkScheduleExpression, alarmEmail, rawGzip, chartSource, retainData and
 * inboxOnArrival from the CDK context.
 */
export function settingsFromContext(get: Context): SpotifyEtlSettings {
  const scheduleExpression = schedule(
    'scheduleExpression',
    text(get, 'scheduleExpression') ?? DEFAULT_SETTINGS.scheduleExpression,
  );
  const checkScheduleText = text(get, 'checkScheduleExpression');
  const checkScheduleExpression =
    checkScheduleText === undefined ? undefined : schedule('checkScheduleExpression', checkScheduleText);
  const alarmEmail = text(get, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new ConfigError(`Context alarmEmail="${alarmEmail}" is not an e-mail address.`);
  }
  return {
    scheduleExpression,
    ...(checkScheduleExpression ? { checkScheduleExpression } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    rawGzip: flag(get, 'rawGzip', DEFAULT_SETTINGS.rawGzip),
    chartSource: text(get, 'chartSource') ?? DEFAULT_SETTINGS.chartSource,
    dataRemovalPolicy: flag(get, 'retainData', true) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    inboxOnArrival: flag(get, 'inboxOnArrival', DEFAULT_SETTINGS.inboxOnArrival),
  };
}

/** Fails the synth, not the first run, on a chart source the Lambda cannot use (the handler's own rules). */
export function checkChartSource(chartSource: string): void {
  loadConfig({ CHART_SOURCE: chartSource });
  if (chartSource !== 'charts-csv' && !chartSource.startsWith('playlist:')) {
    throw new ConfigError(`chartSource "${chartSource}" cannot run on AWS.`, {
      hint: 'Use charts-csv (the inbox) or playlist:<id>.',
    });
  }
}

/**
 * The checker's schedule: checkScheduleExpression, or one hour after a daily `cron(M H * * ? *)` extractor
 * schedule (the transform follows the extraction within minutes). Other extractor schedules need it set.
 */
export function checkScheduleFor(settings: SpotifyEtlSettings): string {
  if (settings.checkScheduleExpression !== undefined) return settings.checkScheduleExpression;
  const daily = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/.exec(settings.scheduleExpression.trim());
  const hour = Number(daily?.[2]);
  if (!daily || !(hour >= 0 && hour <= 23)) {
    throw new ConfigError(
      `checkScheduleExpression cannot be derived from scheduleExpression="${settings.scheduleExpression}".`,
      { hint: 'Set -c checkScheduleExpression=… to a time after the extraction, e.g. cron(0 17 * * ? *).' },
    );
  }
  return `cron(${daily[1]} ${(hour + 1) % 24} * * ? *)`;
}

// The checker: EventBridge Scheduler invokes it daily, an hour after the extractor (the last chart dates and every
// date waiting for a check), and hourly (only the chart dates the transformer wrote since the last check, which is
// how a backfill's history gets checked); it runs the data-quality checks (functions/core/checks/) in Athena and
// reports them as metrics.
import { Duration, Stack } from 'aws-cdk-lib';
import type * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { CHECKS_PENDING, KNOWN_GAPS, TABLES, TRANSFORMED } from '#functions/core/lake.js';
import { ATHENA_RESULTS, type DataLake } from './data-lake.js';
import { invokeOnSchedule } from './schedule.js';
import { EtlFunction, handlerMetric } from './etl-function.js';
import type { LakeCatalog } from './lake-catalog.js';
import { alarmName, type MonitoredComponent } from './monitoring.js';

export interface CheckerProps {
  readonly lake: DataLake;
  readonly catalog: LakeCatalog;
  readonly workgroup: athena.CfnWorkGroup;
  /** An EventBridge Scheduler expression, evaluated in UTC: `cron(0 17 * * ? *)`. */
  readonly scheduleExpression: string;
}

export class Checker extends Construct implements MonitoredComponent {
  readonly title = 'Checker (Athena data-quality checks of the last chart dates)';
  readonly fn: EtlFunction['fn'];
  readonly schedule: scheduler.Schedule;
  readonly pendingSchedule: scheduler.Schedule;
  readonly alarms: cloudwatch.Alarm[];
  readonly widgets: cloudwatch.IWidget[];

  // A construct's constructor is long by design: it reads top to bottom like the part of the diagram it builds.
  constructor(scope: Construct, id: string, props: CheckerProps) {
    super(scope, id);
    const { lake, catalog, workgroup } = props;
    const stack = Stack.of(this);

    const fn = new EtlFunction(this, 'Handler', {
      entry: 'functions/check/handler.ts',
      description: 'spotify-etl checker',
      environment: {
        DATA_BUCKET: lake.bucket.bucketName,
        ATHENA_WORKGROUP: workgroup.ref,
        GLUE_DATABASE: catalog.database.databaseName,
      },
      // It waits on Athena; the memory buys nothing but the CPU to parse a few hundred result rows.
      memorySize: 256,
      // About 14 queries of a few seconds each; the margin is for days the schema check has to narrow down.
      timeout: Duration.minutes(10),
      // A manual invocation during the scheduled one waits instead of running every query twice.
      reservedConcurrentExecutions: 1,
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
    });
    this.fn = fn.fn;

    // Athena runs the queries with the caller's permissions: its API on this workgroup, the catalog entries of
    // the lake tables, the table files (read) and the workgroup's results location (read and write).
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
        resources: [
          stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workgroup.ref }),
        ],
      }),
    );
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
        resources: [
          catalog.database.catalog.catalogArn,
          catalog.database.databaseArn,
          ...TABLES.map((t) => catalog.tables[t].tableArn),
        ],
      }),
    );
    lake.grantPrefixes(this.fn, {
      // checks/known-gaps.json: absences and short charts declared by hand (listed too: S3 answers a missing
      // object with 403, not 404, to a reader that may not list it).
      read: [TRANSFORMED, ATHENA_RESULTS, KNOWN_GAPS],
      write: [ATHENA_RESULTS],
      // checks/pending/: the markers of the chart dates to check, deleted once checked.
      delete: [CHECKS_PENDING],
      list: [TRANSFORMED, ATHENA_RESULTS, CHECKS_PENDING, KNOWN_GAPS],
    });
    // Athena asks for the results bucket's region before writing there; the action reveals nothing else.
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [lake.bucket.bucketArn] }),
    );

    // As the extractor's: Scheduler's retries and DLQ cover invocations Lambda refuses, Lambda's cover a run that
    // throws (the checks could not run at all).
    this.schedule = invokeOnSchedule(this, {
      fn: this.fn,
      deadLetterQueue: fn.deadLetterQueue,
      expression: props.scheduleExpression,
      description: 'Daily data-quality checks of the last chart dates (Athena)',
    });
    // Hourly: a run with nothing pending lists one prefix and stops, without Athena.
    this.pendingSchedule = invokeOnSchedule(new Construct(this, 'Pending'), {
      fn: this.fn,
      deadLetterQueue: fn.deadLetterQueue,
      id: 'Hourly',
      expression: 'rate(1 hour)',
      description: 'Data-quality checks of the chart dates transformed since the last check (Athena)',
      input: { checks: 'pending' },
    });

    // The handler reports in Embedded Metric Format (namespace SpotifyEtl, dimension Function=check), once a day.
    // The period is 26 h, not 24: the run's datapoint lands a little later each day as often as earlier, and a
    // 24 h window would then be empty for a minute and alarm; the 2 h of slack match the extractor's alarm.
    const metric = (metricName: string): cloudwatch.Metric =>
      handlerMetric('check', metricName, 'Maximum', Duration.hours(26));
    const failedChecks = metric('FailedChecks');
    const previousRankMismatches = metric('PreviousRankMismatches');
    this.alarms = [
      ...fn.alarms,
      // No alarm on PreviousRankMismatches: real charts keep previous_rank across Spotify's track relinks.
      new cloudwatch.Alarm(this, 'FailedChecks', {
        alarmName: alarmName(this, 'a data-quality check failed or none ran'),
        alarmDescription:
          'A data-quality check failed, or the checker reported nothing for 26 hours. The checker log (message "checks finished") has each failing line.',
        metric: failedChecks,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // A checker that stopped (or could not run) emits nothing: that is a failure too.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    ];
    this.widgets = [
      ...fn.widgets,
      new cloudwatch.GraphWidget({
        title: 'Failed checks / previous_rank mismatches',
        left: [failedChecks, previousRankMismatches].map((m) => m.with({ period: Duration.days(1) })),
        width: 8,
      }),
    ];
  }
}

// An EventBridge Scheduler schedule that invokes a function with the scheduled time as `time`, so that a retried
// invocation works on the same date; shared by the extractor (daily) and the checker (daily and hourly).
import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface ScheduledInvokeProps {
  /** The schedule's construct id. */
  readonly id?: string;
  readonly fn: lambda.Function;
  /** Invocations the scheduler could not deliver after its retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /** An EventBridge Scheduler expression, evaluated in UTC. */
  readonly expression: string;
  readonly description: string;
  /** More fields of the invocation's input, next to the scheduled time. */
  readonly input?: Readonly<Record<string, string>>;
}

export function invokeOnSchedule(scope: Construct, props: ScheduledInvokeProps): scheduler.Schedule {
  const role = new iam.Role(scope, 'ScheduleRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  });
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(scope).getLogicalId(props.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
    reason:
      "lambda:InvokeFunction on the function's versions and aliases is how CDK grants an invoke; it is this function only.",
  });
  return new scheduler.Schedule(scope, props.id ?? 'Daily', {
    description: props.description,
    schedule: scheduler.ScheduleExpression.expression(props.expression, TimeZone.ETC_UTC),
    target: new targets.LambdaInvoke(props.fn, {
      role,
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      deadLetterQueue: props.deadLetterQueue,
      // The scheduled time, not the invocation time: a retried run works on the same date.
      input: scheduler.ScheduleTargetInput.fromObject({
        source: 'spotify-etl.schedule',
        'detail-type': 'Scheduled Event',
        id: scheduler.ContextAttribute.executionId,
        time: scheduler.ContextAttribute.scheduledTime,
        ...props.input,
      }),
    }),
  });
}

// Where alarms go: each component declares its own alarms and widgets beside the resource it watches
// (cdk-monitoring-constructs style); this construct only routes them to one SNS topic and lays out one dashboard.
import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';

/** A component that watches itself: its alarms and its dashboard row. */
/**
 * The name a human reads in the CloudWatch console and in the alarm e-mail: the stack, then what went wrong in
 * words (`SpotifyEtl: extractor threw`), instead of a generated `SpotifyEtlExtractorErrorsA1B2…` id.
 */
export function alarmName(scope: IConstruct, what: string): string {
  return `${Stack.of(scope).stackName}: ${what}`;
}

export interface MonitoredComponent {
  readonly title: string;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly widgets: readonly cloudwatch.IWidget[];
}

export interface MonitoringProps {
  readonly components: readonly MonitoredComponent[];
  /** Subscribed to the alarm topic when given (the recipient confirms the subscription by e-mail). */
  readonly alarmEmail?: string;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // A customer-managed key, not alias/aws/sns: CloudWatch alarms cannot publish to a topic encrypted with the
    // AWS-managed key, whose policy cannot be changed to let cloudwatch.amazonaws.com use it.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'spotify-etl alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, '*' is this key
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'spotify-etl alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const alarms = props.components.flatMap((c) => c.alarms);
    const notify = new actions.SnsAction(this.topic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 4 }),
    );
    for (const component of props.components) {
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({ markdown: `## ${component.title}`, width: 24, height: 1 }),
      );
      this.dashboard.addWidgets(...component.widgets);
    }
  }
}

// The whole pipeline in one stack, in the order of the architecture diagram:
// bucket → Firehose → extractor + schedule → transformer + S3 notification → Glue (tables, schema registry) → Athena
// → checker + schedule → monitoring.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Checker } from './constructs/checker.js';
import { DataLake } from './constructs/data-lake.js';
import { Extractor } from './constructs/extractor.js';
import { LakeCatalog } from './constructs/lake-catalog.js';
import { Monitoring } from './constructs/monitoring.js';
import { QueryWorkgroup } from './constructs/query-workgroup.js';
import { RawDeliveryStream } from './constructs/raw-delivery-stream.js';
import { SchemaRegistry } from './constructs/schema-registry.js';
import { Transformer } from './constructs/transformer.js';
import { checkChartSource, checkScheduleFor, DEFAULT_SETTINGS, type SpotifyEtlSettings } from './settings.js';

export interface SpotifyEtlStackProps extends StackProps {
  readonly settings?: Partial<SpotifyEtlSettings>;
}

export class SpotifyEtlStack extends Stack {
  readonly lake: DataLake;
  readonly delivery: RawDeliveryStream;
  readonly extractor: Extractor;
  readonly transformer: Transformer;
  readonly catalog: LakeCatalog;
  readonly schemaRegistry: SchemaRegistry;
  readonly queries: QueryWorkgroup;
  readonly checker: Checker;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SpotifyEtlStackProps = {}) {
    super(scope, id, props);
    const settings: SpotifyEtlSettings = { ...DEFAULT_SETTINGS, ...props.settings };
    checkChartSource(settings.chartSource);

    this.lake = new DataLake(this, 'DataLake', { removalPolicy: settings.dataRemovalPolicy });

    this.delivery = new RawDeliveryStream(this, 'RawDelivery', { lake: this.lake, gzip: settings.rawGzip });

    this.extractor = new Extractor(this, 'Extractor', {
      lake: this.lake,
      delivery: this.delivery,
      scheduleExpression: settings.scheduleExpression,
      chartSource: settings.chartSource,
      inboxOnArrival: settings.inboxOnArrival,
    });

    this.transformer = new Transformer(this, 'Transformer', { lake: this.lake });

    this.catalog = new LakeCatalog(this, 'Catalog', { lake: this.lake });
    this.schemaRegistry = new SchemaRegistry(this, 'SchemaRegistry'); // schemas/ as versions in the Glue registry

    this.queries = new QueryWorkgroup(this, 'Queries', {
      lake: this.lake,
      databaseName: this.catalog.database.databaseName,
    });

    this.checker = new Checker(this, 'Checker', {
      lake: this.lake,
      catalog: this.catalog,
      workgroup: this.queries.workgroup,
      scheduleExpression: checkScheduleFor(settings),
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      components: [this.delivery, this.extractor, this.transformer, this.checker],
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });

    new CfnOutput(this, 'DataBucketName', { value: this.lake.bucket.bucketName });
    new CfnOutput(this, 'DeliveryStreamName', { value: this.delivery.stream.deliveryStreamName });
    new CfnOutput(this, 'SpotifySecretArn', { value: this.extractor.secret.secretArn });
    new CfnOutput(this, 'ExtractorFunctionName', { value: this.extractor.fn.functionName });
    new CfnOutput(this, 'CheckerFunctionName', { value: this.checker.fn.functionName });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.queries.workgroup.ref });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
  }
}

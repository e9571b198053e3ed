// The lake: one private bucket for every zone (inbox, cache, raw, transformed, Athena results), its access logs in
// a second bucket, lifecycle rules per zone, and the one place that turns key prefixes into IAM statements.
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { PROCESSED } from '#functions/core/lake.js';

/** Where Athena writes query results (inside the data bucket, expired after 30 days). */
export const ATHENA_RESULTS = 'athena-results/';

export interface DataLakeProps {
  /** RETAIN (default) keeps both buckets and their data when the stack is deleted. */
  readonly removalPolicy?: RemovalPolicy;
}

/** What a role may do under key prefixes of the data bucket (each prefix ends with `/`). */
export interface PrefixAccess {
  readonly read?: readonly string[];
  readonly write?: readonly string[];
  readonly delete?: readonly string[];
  /** ListObjectsV2 allowed only with an s3:prefix under these (also what lets a GET on a missing key say 404). */
  readonly list?: readonly string[];
}

export class DataLake extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataLakeProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Server access logs support SSE-S3 only; the log bucket does not log itself (cdk-nag exempts log targets).
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });

    this.bucket = new s3.Bucket(this, 'Data', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data/',
      // The transformer rewrites and deletes table files under transformed_data/: a bug or a bad replay must be
      // recoverable, so an overwritten or deleted object stays as a noncurrent version for a while.
      versioned: true,
      removalPolicy,
      lifecycleRules: [
        {
          // Raw objects are replayed rarely (a schema change, a bug fix): cheaper storage once they are settled.
          id: 'raw-processed-to-cheaper-storage',
          prefix: PROCESSED,
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) },
          ],
        },
        { id: 'expire-athena-results', prefix: ATHENA_RESULTS, expiration: Duration.days(30) },
        // Firehose writes in multipart uploads; a failed one would otherwise be billed forever.
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Versions are a 30-day undo, not an archive: every move (inbox, to_process/) and rewrite leaves one. Delete
        // markers with no version left behind them go too.
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(30),
          expiredObjectDeleteMarker: true,
        },
        // No expiration on raw_data/rejected/ or transformed_data/: rejected lines and the tables are kept.
      ],
    });
  }

  /** `arn:aws:s3:::<bucket>/<prefix>*` */
  objectsUnder(prefix: string): string {
    return this.bucket.arnForObjects(`${prefix}*`);
  }

  /**
   * Least-privilege S3 access by key prefix: object actions only under the given prefixes, ListBucket only with
   * an s3:prefix condition. S3 evaluates that condition with the object key when it decides between 404 and 403
   * for a missing key, so a GET under a listed prefix still answers 404 (the adapters read that as "absent").
   */
  grantPrefixes(grantee: iam.IGrantable & IConstruct, access: PrefixAccess): void {
    const statement = (actions: string[], prefixes: readonly string[] | undefined) => {
      if (prefixes && prefixes.length > 0) {
        grantee.grantPrincipal.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions, resources: prefixes.map((p) => this.objectsUnder(p)) }),
        );
      }
    };
    statement(['s3:GetObject'], access.read);
    statement(['s3:PutObject'], access.write);
    statement(['s3:DeleteObject'], access.delete);
    if (access.list && access.list.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': access.list.map((p) => `${p}*`) } },
        }),
      );
    }
    const prefixes = new Set([...(access.read ?? []), ...(access.write ?? []), ...(access.delete ?? [])]);
    // The statements land in the principal's policy (a function's role), which need not sit under the grantee.
    const principal = grantee.grantPrincipal;
    this.acknowledgePrefixWildcards(
      Construct.isConstruct(principal) ? principal : grantee,
      [...prefixes],
      'Object keys under a lake prefix are made at run time (dates, run ids), so the grant is the prefix, not a key.',
    );
  }

  /** cdk-nag flags `<bucket>/<prefix>*` as a wildcard: acknowledge exactly those resources on `scope`, with why. */
  acknowledgePrefixWildcards(scope: IConstruct, prefixes: readonly string[], reason: string): void {
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    for (const prefix of prefixes) {
      Validations.of(scope).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason,
      });
    }
  }
}

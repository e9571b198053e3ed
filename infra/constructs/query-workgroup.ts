// Athena: the spotify-etl workgroup (engine v3, results encrypted under athena-results/, 1 GiB scan cap per
// query, settings enforced) and one saved query per file in infra/queries/ — the same SQL the tests run in DuckDB.
import * as athena from 'aws-cdk-lib/aws-athena';
import { Construct } from 'constructs';
import { ATHENA_RESULTS, type DataLake } from './data-lake.js';
import { namedQueryFiles } from '../named-queries.js';

export { namedQueryFiles, QUERIES_DIR, type NamedQueryFile } from '../named-queries.js';

export const WORKGROUP_NAME = 'spotify-etl';
const GIB = 1024 ** 3;

export interface QueryWorkgroupProps {
  readonly lake: DataLake;
  readonly databaseName: string;
}

export class QueryWorkgroup extends Construct {
  readonly workgroup: athena.CfnWorkGroup;
  readonly namedQueries: athena.CfnNamedQuery[];

  constructor(scope: Construct, id: string, props: QueryWorkgroupProps) {
    super(scope, id);
    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: WORKGROUP_NAME,
      description: 'spotify-etl: queries over song_data, album_data, artist_data',
      state: 'ENABLED',
      // Lets `cdk destroy` remove the workgroup with its saved queries and history (never the data).
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: GIB,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.lake.bucket.bucketName}/${ATHENA_RESULTS}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    this.namedQueries = namedQueryFiles().map((q) => {
      const query = new athena.CfnNamedQuery(this, q.name, {
        name: q.name,
        description: q.description,
        database: props.databaseName,
        queryString: q.sql,
        workGroup: this.workgroup.ref,
      });
      query.node.addDependency(this.workgroup); // the workgroup must exist before a query can be saved in it
      return query;
    });
  }
}

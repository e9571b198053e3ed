// The Glue Data Catalog over the lake: database spotify_etl, the three tables the transformer writes (columns
// generated from schemas/, chart date as a projected partition: no crawler, no MSCK REPAIR), and the raw records.
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { PROCESSED, TRANSFORMED, type TableName } from '#functions/core/lake.js';
import { schemas, TABLE_SCHEMAS } from '#functions/core/schemas.js';
import { glueColumns, type GlueColumn } from '../glue-columns.js';
import type { DataLake } from './data-lake.js';

export const DATABASE_NAME = 'spotify_etl';
export const RAW_TABLE = 'raw_track_records';

/**
 * The raw table keeps the Spotify objects as their JSON text: they are Spotify's (open, and changing — fields were
 * removed for development-mode apps in 2026), so a typed struct would freeze today's shape in the catalog, while a
 * string column reads every line and `json_extract_scalar(track, '$.album.release_date')` reaches any field.
 * The envelope (chart date, run, position, chart metrics) is ours and typed.
 */
export const RAW_AS_JSON_TEXT = ['track', 'album', 'artists'] as const;

/**
 * Glue table parameters are strings, but S3Table writes `has_encrypted_data` as a JSON boolean (the emulator test in
 * test/integration/aws-pipeline.test.ts reads the tables back through Glue and found it): written here as "false".
 */
function stringParameters(table: glue.S3Table): glue.S3Table {
  (table.node.defaultChild as glue.CfnTable).addPropertyOverride(
    'TableInput.Parameters.has_encrypted_data',
    'false',
  );
  return table;
}

const toGlue = (columns: readonly GlueColumn[]): glue.Column[] =>
  columns.map((c) => ({
    name: c.name,
    type: glue.Schema.custom(c.type, !c.type.includes('<')),
    ...(c.comment ? { comment: c.comment } : {}),
  }));

export interface LakeCatalogProps {
  readonly lake: DataLake;
}

export class LakeCatalog extends Construct {
  readonly database: glue.Database;
  readonly tables: Readonly<Record<TableName, glue.S3Table>>;
  readonly rawTable: glue.S3Table;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    const { bucket } = props.lake;
    this.database = new glue.Database(this, 'Database', {
      databaseName: DATABASE_NAME,
      description: 'Daily Spotify chart: song, album and artist rows per chart date (spotify-etl).',
    });

    const table = (name: TableName): glue.S3Table => {
      const prefix = `${TRANSFORMED}${name}/`;
      return stringParameters(
        new glue.S3Table(this, name, {
          database: this.database,
          tableName: name,
          description: String(TABLE_SCHEMAS[name].description ?? name),
          storage: glue.S3TableStorage.fromBucket(bucket),
          s3Prefix: prefix,
          dataFormat: glue.DataFormat.JSON, // OpenX JSON SerDe over TEXTFILE: one NDJSON row per line
          hasEncryptedData: false, // SSE-S3 at rest; the flag is for client-side encryption
          columns: toGlue(glueColumns(TABLE_SCHEMAS[name])),
          partitionKeys: [{ name: 'snapshot_date', type: glue.Schema.DATE, comment: 'The chart date.' }],
          // Athena computes partitions from the query's snapshot_date filter instead of listing them in Glue.
          partitionProjection: {
            snapshot_date: glue.PartitionProjectionConfiguration.date({
              min: '2017-01-01', // the first Spotify charts
              max: 'NOW',
              format: 'yyyy-MM-dd',
              step: { interval: 1, intervalUnit: glue.DateIntervalUnit.DAYS },
            }),
          },
          parameters: {
            'storage.location.template': `s3://${bucket.bucketName}/${prefix}snapshot_date=\${snapshot_date}/`,
          },
        }),
      );
    };
    this.tables = {
      album_data: table('album_data'),
      artist_data: table('artist_data'),
      song_data: table('song_data'),
    };

    // For debugging only: every raw line ever processed (Firehose's YYYY/MM/dd/HH/ folders are read recursively).
    // It is not partitioned, so each query scans all of processed/ (the workgroup caps bytes scanned).
    this.rawTable = stringParameters(
      new glue.S3Table(this, RAW_TABLE, {
        database: this.database,
        tableName: RAW_TABLE,
        description:
          'Raw records as the extractor sent them (debugging; unpartitioned, scans all of processed/).',
        storage: glue.S3TableStorage.fromBucket(bucket),
        s3Prefix: PROCESSED,
        dataFormat: glue.DataFormat.JSON,
        hasEncryptedData: false,
        columns: toGlue(glueColumns(schemas.rawTrackRecord, { asJsonText: RAW_AS_JSON_TEXT })),
      }),
    );
    // The raw zone holds the lines the transformer rejected too: skip malformed JSON instead of failing the query.
    (this.rawTable.node.defaultChild as glue.CfnTable).addPropertyOverride(
      'TableInput.StorageDescriptor.SerdeInfo.Parameters',
      { 'ignore.malformed.json': 'true' },
    );
  }
}

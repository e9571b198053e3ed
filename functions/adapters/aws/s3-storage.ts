// Storage on an S3 bucket (or any S3-compatible store reached through an endpoint): the one place that talks to S3.
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { EtlError } from '#functions/errors.js';
import type { Storage } from '#functions/ports.js';

export interface S3ClientOptions {
  readonly region?: string;
  /** An S3-compatible store (S3_ENDPOINT), e.g. `http://127.0.0.1:4568`; absent on AWS. */
  readonly endpoint?: string;
  /** Bucket in the path rather than the host name: most S3-compatible stores need it. */
  readonly forcePathStyle?: boolean;
  /** Absent on AWS, where the SDK's default chain (Lambda role, profile) supplies them. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Builds the client once; callers pass settings already read from the configuration module. */
export function createS3Client(opts: S3ClientOptions): S3Client {
  return new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle,
    credentials: opts.credentials,
  });
}

export interface S3StorageOptions {
  /** MaxKeys per ListObjectsV2 page; S3 caps it at 1000. Small values let tests exercise pagination. */
  readonly pageSize?: number;
}

export class S3Storage implements Storage {
  private readonly pageSize: number | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3StorageOptions = {},
  ) {
    this.pageSize = options.pageSize;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const body = await this.getBody(key);
    return body === undefined ? undefined : body.transformToByteArray();
  }

  /** The caller must consume the stream to the end: an unread body holds its HTTP connection open. */
  async read(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const body = await this.getBody(key);
    if (body === undefined) return undefined;
    if (!isAsyncIterable(body)) {
      // In Node the body is an IncomingMessage; anything else means a browser-style runtime we do not target.
      throw new EtlError(`S3 returned a non-streamable body for ${this.uri(key)}.`);
    }
    return asBytes(body);
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    // Bytes with an explicit length: the SDK cannot size an empty string (the pending-check markers), sends no
    // Content-Length and console.warns "Stream of unknown length" on every such write.
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: contentType,
      }),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: this.pageSize,
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) keys.push(object.Key);
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    // S3 already returns keys in UTF-8 byte order; sorting again gives the same order as the folder adapter.
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async move(from: string, to: string): Promise<void> {
    if (from === to) {
      // S3 refuses a copy onto itself, and deleting afterwards would lose the object: only check it exists.
      if (!(await this.exists(from))) throw this.missingSource(from, to);
      return;
    }
    try {
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: copySource(this.bucket, from) }),
      );
    } catch (error) {
      if (isMissingKey(error)) throw this.missingSource(from, to, error);
      throw error;
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: from }));
  }

  private async getBody(key: string): Promise<GetObjectCommandOutput['Body'] | undefined> {
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return output.Body;
    } catch (error) {
      if (isMissingKey(error)) return undefined;
      throw error;
    }
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissingKey(error)) return false;
      throw error;
    }
  }

  private missingSource(from: string, to: string, cause?: unknown): EtlError {
    return new EtlError(`Cannot move ${this.uri(from)} to ${to}: the source object does not exist.`, {
      hint: 'It may have been moved already by an earlier run; list the prefix to see what is there.',
      cause,
    });
  }

  private uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }
}

/**
 * The x-amz-copy-source value: S3 wants it URL-encoded, one path segment at a time so `/` stays a separator.
 * `=`, `:`, `@` and `,` stay literal: S3 reads them the same either way, and some S3-compatible stores (s3rver)
 * decode the header with decodeURI, which leaves `%3D` undecoded and so misses Hive-style `snapshot_date=` keys.
 */
export function copySource(bucket: string, key: string): string {
  const encoded = key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/%(3D|3A|40|2C)/g, (escape) => decodeURIComponent(escape)),
    )
    .join('/');
  return `${bucket}/${encoded}`;
}

/** NoSuchKey from GetObject/CopyObject, NotFound from HeadObject; a missing bucket is a real error, not absence. */
function isMissingKey(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'NoSuchKey' || error.name === 'NotFound') return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404 && error.name !== 'NoSuchBucket';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Node streams may yield strings if an encoding was set; the port promises bytes. */
async function* asBytes(body: AsyncIterable<unknown>): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    if (chunk instanceof Uint8Array) yield chunk;
    else if (typeof chunk === 'string') yield new TextEncoder().encode(chunk);
    else throw new EtlError(`S3 body stream yielded an unexpected ${typeof chunk} chunk.`);
  }
}

/**
 * Blob store on S3 or an S3-compatible service. The AWS SDK is imported here only, so the
 * embedded runtime never loads it. Objects are private (no ACL is ever sent); links are presigned.
 * Each blob is written once: every PUT is conditional (`If-None-Match: *`), so S3 itself refuses
 * to replace an object, even between writers racing on two machines. The service must honour it
 * (AWS S3 does since 2024, and MinIO); one that ignores it (s3rver) replaces objects silently.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BlobConflictError, BlobNotFoundError, assertSafeLocation, type BlobStore } from '../../ports/blob-store.js';
import type { Location } from '../../core/message.js';

export { openBlobStore, parseBlobsUrl, type BlobsUrl } from './blobs-url.js';

export interface S3BlobStoreOptions {
  /** A ready client. When given, `endpoint`, `forcePathStyle` and `region` are ignored. */
  client?: S3Client;
  /** One real bucket for every logical bucket: keys become `${prefix}${Bucket}/${Key}`. */
  bucket?: string;
  /** Used literally (include the trailing `/`); only with `bucket`. */
  prefix?: string;
  /** Lifetime of `url()` links; default 3600 (one hour). */
  presignExpiresInSeconds?: number;
  /** An S3-compatible endpoint; default: the SDK's (AWS_ENDPOINT_URL_S3 or AWS). */
  endpoint?: string;
  /**
   * Default: true when `endpoint` is set. The SDK also takes an endpoint from AWS_ENDPOINT_URL_S3 or
   * AWS_ENDPOINT_URL by itself: a host that reads those passes `forcePathStyle` with them.
   */
  forcePathStyle?: boolean;
  /** Default: the SDK's (AWS_REGION, shared config). */
  region?: string;
}

/** SigV4 presigned URLs live at most a week. */
const MAX_EXPIRES_IN_SECONDS = 7 * 24 * 3600;

export function s3BlobStore(options: S3BlobStoreOptions = {}): BlobStore {
  const { bucket, prefix = '' } = options;
  if (prefix && bucket === undefined) throw new Error('s3BlobStore: a prefix needs a bucket');
  const defaultExpiry = checkExpiry(options.presignExpiresInSeconds ?? 3600);
  const client = options.client ?? createClient(options);

  const target = (location: Location): { Bucket: string; Key: string } => {
    assertSafeLocation(location);
    return bucket === undefined
      ? { Bucket: location.Bucket, Key: location.Key }
      : { Bucket: bucket, Key: `${prefix}${location.Bucket}/${location.Key}` };
  };

  const store: BlobStore = {
    async put(location, body, putOptions) {
      // No ACL: objects stay private, readable through the bucket owner's grants or presigned links.
      const put = new PutObjectCommand({ ...target(location), Body: body, ContentType: putOptions?.contentType, IfNoneMatch: '*' });
      try {
        await client.send(put);
      } catch (error) {
        if (!isAlreadyThere(error)) throw error; // a 409 (a racing write still in flight) is retried by the caller
        if (!(await store.get(location)).equals(body)) throw new BlobConflictError(location);
      }
    },
    async get(location) {
      const where = target(location);
      try {
        const response = await client.send(new GetObjectCommand(where));
        if (!response.Body) throw new Error(`S3 returned no body for ${where.Bucket}/${where.Key}`);
        const bytes = await response.Body.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if (isMissingKey(error)) throw new BlobNotFoundError(location);
        throw error;
      }
    },
    async url(location, urlOptions) {
      const expiresIn = urlOptions?.expiresInSeconds === undefined ? defaultExpiry : checkExpiry(urlOptions.expiresInSeconds);
      return getSignedUrl(client, new GetObjectCommand(target(location)), { expiresIn });
    },
  };
  return store;
}

function createClient(options: S3BlobStoreOptions): S3Client {
  const endpointSet = options.endpoint !== undefined;
  return new S3Client({
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle ?? endpointSet,
    // Checksums only where S3 requires them: with the SDK's default (WHEN_SUPPORTED), uploads go
    // out aws-chunked, which S3-compatible servers (s3rver, older MinIO) store as garbage.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function checkExpiry(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRES_IN_SECONDS) {
    throw new Error(`presigned URL expiry must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN_SECONDS}, not ${seconds}`);
  }
  return seconds;
}

/** The answer to a conditional PUT when the key holds an object already: 412 Precondition Failed. */
function isAlreadyThere(error: unknown): boolean {
  const { name, $metadata } = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'PreconditionFailed' || $metadata?.httpStatusCode === 412;
}

/**
 * NoSuchKey, or a bodiless 404. NoSuchBucket is a configuration error and stays one. (Real S3
 * answers 403, not 404, for a missing key when the caller lacks s3:ListBucket on the bucket.)
 */
function isMissingKey(error: unknown): boolean {
  const { name, $metadata } = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (name === 'NoSuchKey') return true;
  return $metadata?.httpStatusCode === 404 && name !== 'NoSuchBucket';
}

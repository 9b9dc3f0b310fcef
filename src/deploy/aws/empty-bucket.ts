/** Deletes every object of a bucket (a missing bucket has none), so CloudFormation can delete it. */
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

export async function emptyBucket(bucket: string, given?: S3Client): Promise<number> {
  const client = given ?? new S3Client({});
  try {
    return await deleteAll(bucket, client);
  } finally {
    if (!given) client.destroy();
  }
}

async function deleteAll(bucket: string, client: S3Client): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  try {
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key! }));
      if (keys.length > 0) {
        const { Errors } = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
        if (Errors?.length) throw new Error(`could not delete ${Errors.length} objects of ${bucket}, e.g. ${Errors[0]!.Key}: ${Errors[0]!.Code}`);
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    if ((error as Error).name === 'NoSuchBucket') return deleted;
    throw error;
  }
  return deleted;
}

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { blobStoreConformance } from './blob-store.case.js';

blobStoreConformance('local disk', async () => diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-blobs-'))));
blobStoreConformance('in memory', async () => memoryBlobStore());

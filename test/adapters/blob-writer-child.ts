/** A child process that writes big blobs to a disk store without end, until it is killed. */
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';

const [root] = process.argv.slice(2);
const store = diskBlobStore(root!);
const body = Buffer.alloc(16 * 1024 * 1024, 7);
process.stdout.write('writing\n');
for (let i = 0; ; i++) {
  body.writeUInt32BE(i, 0); // each blob its own bytes
  await store.put({ Bucket: 'dataflow', Key: `writer/${i}.bin` }, body);
}

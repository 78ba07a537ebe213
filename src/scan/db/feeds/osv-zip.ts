/**
 * OSV's per-ecosystem dumps (`<bucket>/<Ecosystem>/all.zip`, one JSON record per entry), unpacked
 * with yauzl into one JSON array, so a dump is one feed input with one hash in the manifest.
 */
import yauzl from 'yauzl';
import { ScanError } from '../../errors.js';

export function isZip(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32LE(0) === 0x04034b50;
}

export async function osvZipToJson(data: Buffer, location: string): Promise<Buffer> {
  const records: unknown[] = [];
  try {
    const zip = await yauzl.fromBufferPromise(data, { lazyEntries: true });
    try {
      for await (const entry of zip.eachEntry()) {
        if (!entry.fileName.endsWith('.json')) continue;
        const chunks: Buffer[] = [];
        for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
        records.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      }
    } finally {
      zip.close();
    }
  } catch (error) {
    throw new ScanError(`the OSV dump ${location} cannot be read: ${(error as Error).message}`, {
      code: 'feed-invalid',
      hint: 'Download it again; nothing was written.',
      cause: error,
    });
  }
  return Buffer.from(JSON.stringify(records));
}

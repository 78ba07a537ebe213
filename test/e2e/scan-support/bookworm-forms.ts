/**
 * The bookworm image in the forms the scanner reads: an OCI layout (written here) and a
 * `docker save` archive written by skopeo from it — both cached beside the layers.
 */
import { execFile } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findPeer } from '../../../src/core/peers.js';
import { ensureBookwormImage, type BookwormImage } from './bookworm.js';
import { writeOciLayout } from './oci-writer.js';

const run = promisify(execFile);

export interface BookwormForms extends BookwormImage {
  ociLayout: string;
  tag: string;
  dockerArchive: string;
}

export function skopeo(): string {
  const binary = findPeer('skopeo');
  if (binary === undefined) throw new Error('skopeo is missing: run `npm run peers -- --only scan-tools`');
  return binary;
}

export async function ensureBookwormForms(log: (line: string) => void = () => {}): Promise<BookwormForms> {
  const image = await ensureBookwormImage(log);
  const forms: BookwormForms = {
    ...image,
    ociLayout: join(image.dir, 'oci'),
    tag: 'bookworm',
    dockerArchive: join(image.dir, 'docker-archive.tar'),
  };
  if (!existsSync(join(forms.ociLayout, 'index.json'))) {
    log('writing the OCI layout');
    const temp = `${forms.ociLayout}.tmp`;
    rmSync(temp, { recursive: true, force: true });
    await writeOciLayout(temp, {
      layers: image.layers,
      tag: forms.tag,
      history: [
        'debootstrap --variant=minbase --include=libapparmor1,apparmor bookworm',
        'dpkg --purge apparmor',
      ],
    });
    renameSync(temp, forms.ociLayout);
  }
  if (!existsSync(forms.dockerArchive)) {
    log('skopeo copy oci: docker-archive:');
    const temp = `${forms.dockerArchive}.tmp`;
    rmSync(temp, { force: true });
    await run(skopeo(), [
      'copy',
      '--quiet',
      `oci:${forms.ociLayout}:${forms.tag}`,
      `docker-archive:${temp}:chartroom/bookworm:12`,
    ]);
    renameSync(temp, forms.dockerArchive);
  }
  return forms;
}

export async function pushToRegistry(
  forms: BookwormForms,
  reference: string,
  credentials: { username: string; password: string },
): Promise<void> {
  await run(skopeo(), [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    '--dest-creds',
    `${credentials.username}:${credentials.password}`,
    `oci:${forms.ociLayout}:${forms.tag}`,
    `docker://${reference}`,
  ]);
}

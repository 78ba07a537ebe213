/** Image references: a pinned tag, and a pull policy that re-checks pull secrets. */
import { str } from '../json.js';
import type { CheckDefinition } from '../model.js';
import { perContainer } from './helpers.js';

/** The tag of an image reference ("" when none; a digest counts as pinned). */
export function imageTag(image: string): string {
  if (image.includes('@')) return '@digest';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 ? '' : image.slice(colon + 1);
}

export const imageTagPinned: CheckDefinition = {
  id: 'image-tag',
  title: 'Image has an explicit, non-latest tag',
  family: 'images',
  severity: 'danger',
  why: 'An image without a tag, or `:latest`, changes under you: two pods of one Deployment can run different code, and a rollback rolls back nothing.',
  fix: 'Pin the image to a version tag or a digest (`app:1.4.2`, `app@sha256:…`); have CI write it into the values.',
  run: (manifest) =>
    perContainer(manifest, { init: true }, (ref) => {
      const image = str(ref.container, 'image') ?? '';
      const tag = imageTag(image);
      if (tag === '') return `container "${ref.name}" uses image "${image}" without a tag`;
      if (tag === 'latest') return `container "${ref.name}" uses the latest tag ("${image}")`;
      return undefined;
    }),
};

export const imagePullPolicy: CheckDefinition = {
  id: 'image-pull-policy',
  title: 'Image pull policy is Always',
  family: 'images',
  severity: 'warning',
  why: 'With `IfNotPresent` a node that cached the image starts it without asking the registry, so imagePullSecrets are never checked and a re-pushed tag is not picked up.',
  fix: 'Set `imagePullPolicy: Always` (pulls are cheap: only the manifest is fetched when layers are cached).',
  run: (manifest, context) =>
    perContainer(manifest, { init: true }, (ref) => {
      const policy = str(ref.container, 'imagePullPolicy');
      if (policy === 'Always') return undefined;
      // Kubernetes defaults the policy to Always for :latest and untagged images.
      const tag = imageTag(str(ref.container, 'image') ?? '');
      if (
        policy === undefined &&
        (tag === '' || tag === 'latest') &&
        context.options.requireExplicit !== true
      )
        return undefined;
      return policy === undefined
        ? `container "${ref.name}" has no imagePullPolicy`
        : `container "${ref.name}" has imagePullPolicy ${policy}`;
    }),
};

export const imageChecks: CheckDefinition[] = [imageTagPinned, imagePullPolicy];

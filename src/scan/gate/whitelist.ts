/**
 * clair-scanner's whitelist YAML: `generalwhitelist` (CVE → note, every image) and `images`
 * (image name → CVE → note). clair-scanner keys images by everything before the first `:` of the
 * name it was given, so `registry:5000/app:1` became `registry`; we match the repository without
 * tag or digest (`registry:5000/app`), its last path part (`app`) and — so existing files keep
 * working — clair-scanner's own key.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from '../../core/errors.js';

export interface Whitelist {
  general: Record<string, string>;
  images: Record<string, Record<string, string>>;
}

function stringMap(value: unknown, where: string, file: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      `${file}: ${where} must be a map of CVE → description`,
      "See clair-scanner's example-whitelist.yaml.",
    );
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v ?? ''),
    ]),
  );
}

export function parseWhitelist(text: string, file: string): Whitelist {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new ConfigError(
      `${file} is not valid YAML: ${(error as Error).message}`,
      'Fix the whitelist file.',
      error,
    );
  }
  if (value === null || value === undefined) return { general: {}, images: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      `${file} must be a map with generalwhitelist and/or images`,
      "See clair-scanner's example-whitelist.yaml.",
    );
  }
  const record = value as Record<string, unknown>;
  const images: Record<string, Record<string, string>> = {};
  const rawImages = record.images;
  if (rawImages !== undefined && rawImages !== null) {
    if (typeof rawImages !== 'object' || Array.isArray(rawImages))
      throw new ConfigError(`${file}: images must be a map`, 'images: {ubuntu: {CVE-…: note}}');
    for (const [name, cves] of Object.entries(rawImages as Record<string, unknown>))
      images[name] = stringMap(cves, `images.${name}`, file);
  }
  return { general: stringMap(record.generalwhitelist, 'generalwhitelist', file), images };
}

export async function loadWhitelist(file: string): Promise<Whitelist> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the whitelist ${file}: ${(error as Error).message}`,
      'Check the path.',
      error,
    );
  }
  return parseWhitelist(text, file);
}

/** The keys an image name is looked up under in `images`. */
export function whitelistKeys(imageName: string): string[] {
  const withoutDigest = imageName.split('@')[0] ?? imageName;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const repository = colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
  const short = repository.slice(repository.lastIndexOf('/') + 1);
  const clairKey = imageName.split(':')[0] ?? imageName;
  return [...new Set([repository, short, clairKey])];
}

export function whitelisted(whitelist: Whitelist, imageName: string, id: string): string | undefined {
  if (whitelist.general[id] !== undefined) return 'general whitelist';
  for (const key of whitelistKeys(imageName))
    if (whitelist.images[key]?.[id] !== undefined) return `whitelist for ${key}`;
  return undefined;
}

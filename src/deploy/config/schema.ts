/**
 * `chartroom.yaml`: how an app is deployed, in the talk's layout.
 *
 * ```yaml
 * name: webapp
 * chart: helm/webapp                # default: helm/<name>
 * environments:
 *   staging:
 *     namespace: webapp-staging
 *     # default values: helm/env/secrets.<env>.yaml (when present), then helm/env/<env>.yaml
 *   production:
 *     namespace: webapp
 *     timeout: 10m
 *     atomic: true
 *     values:
 *       - helm/env/secrets.production.yaml
 *       - helm/env/production.yaml
 * dependencies:                     # services the app talks to (used by `chartroom dev`)
 *   - service: mysql
 *     ports: [3306]
 * ```
 */
import { z } from 'zod';
import { parseGoDuration } from '../helm/duration.js';

/** DNS-1123 label: namespaces, Service names. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Helm's release name rule (pkg/chartutil/validate_name.go): a DNS-1123 subdomain of ≤ 53. */
const releaseName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const namespaceSchema = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(dnsLabel, 'must be a DNS label: lower-case letters, digits and "-"');

export const releaseSchema = z
  .string()
  .max(53, 'must be at most 53 characters (Helm’s limit)')
  .regex(releaseName, 'must be lower-case letters, digits, "-" and "."');

export const durationSchema = z
  .string()
  .refine((text) => parseGoDuration(text) !== undefined, 'must be a Go duration such as 90s, 10m or 1h30m');

const valuesEntrySchema = z.union([
  z.string().min(1),
  z
    .object({
      file: z.string().min(1),
      /** Skip the file when it does not exist (default: a missing file is an error). */
      optional: z.boolean().optional(),
    })
    .strict(),
]);

const environmentSchema = z
  .object({
    namespace: namespaceSchema,
    release: releaseSchema.optional(),
    /** Values files in Helm's order: later files override earlier ones. sops files are detected. */
    values: z.array(valuesEntrySchema).optional(),
    timeout: durationSchema.optional(),
    atomic: z.boolean().optional(),
    /** A kubeconfig context to deploy this environment with. */
    context: z.string().min(1).optional(),
  })
  .strict();

const dependencySchema = z
  .object({
    /** The Service's name. */
    service: namespaceSchema,
    /** Default: the environment's namespace. */
    namespace: namespaceSchema.optional(),
    /** Ports to forward; default: every port of the Service. */
    ports: z.array(z.number().int().min(1).max(65535)).optional(),
    /** Environment variables that hold its address (else found by scanning the env values). */
    env: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const appConfigSchema = z
  .object({
    name: releaseSchema,
    chart: z.string().min(1).optional(),
    release: releaseSchema.optional(),
    timeout: durationSchema.optional(),
    environments: z
      .record(
        z
          .string()
          .regex(/^[a-zA-Z0-9][-_.a-zA-Z0-9]*$/, 'environment names are letters, digits, "-", "_", "."'),
        environmentSchema,
      )
      .refine((envs) => Object.keys(envs).length > 0, 'needs at least one environment'),
    dependencies: z.array(dependencySchema).optional(),
  })
  .strict();

export type AppConfigFile = z.infer<typeof appConfigSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type DependencyConfig = z.infer<typeof dependencySchema>;

/**
 * `chartroom secrets …`: sops's commands, flags and exit codes, plus `diff` (git textconv and
 * diff driver) and `check`. Parsing and rendering only; the work is in src/secrets.
 */
// Node built-ins are imported statically: a dynamic import() would make the secrets bundle
// (bin/chartroom.js → dist/cli-secrets.cjs) set up Node's ESM loader, which it exists to avoid.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import type { CryptRules, UpdateKeysPlan } from '../secrets/index.js';
import {
  conflictingOutput,
  decryptionOrder,
  keyFlags,
  readStdin,
  readStdinLine,
  requireFile,
  runtimeFor,
  secretsApi,
  toInt,
  writeResult,
  type KeyOptions,
} from './secrets-io.js';

const TYPES = ['yaml', 'json', 'dotenv', 'ini', 'binary'];

function keyOptions(cmd: Command): Command {
  return cmd
    .option('-k, --kms <arns>', 'comma separated list of KMS ARNs (SOPS_KMS_ARN)')
    .option('--aws-profile <profile>', 'the AWS profile to use for requests to AWS')
    .option('--gcp-kms <ids>', 'GCP KMS resource IDs (not supported by Chartroom)')
    .option('--hckms <ids>', 'HuaweiCloud KMS key IDs (not supported by Chartroom)')
    .option('--azure-kv <urls>', 'Azure Key Vault URLs (not supported by Chartroom)')
    .option('--hc-vault-transit <uris>', 'Vault transit key URIs (not supported by Chartroom)')
    .option('-p, --pgp <fingerprints>', 'comma separated list of PGP fingerprints (SOPS_PGP_FP)')
    .option('-a, --age <recipients>', 'comma separated list of age recipients (SOPS_AGE_RECIPIENTS)');
}

function ruleOptions(cmd: Command): Command {
  return cmd
    .option('--unencrypted-suffix <suffix>', 'override the unencrypted key suffix')
    .option('--encrypted-suffix <suffix>', 'only keys ending with this suffix are encrypted')
    .option('--unencrypted-regex <re>', 'keys matching the regex stay in clear')
    .option('--encrypted-regex <re>', 'only keys matching the regex are encrypted')
    .option('--encryption-context <pairs>', 'comma separated list of KMS encryption context key:value pairs')
    .option(
      '--shamir-secret-sharing-threshold <n>',
      'the number of key groups required to retrieve the data key',
      toInt,
    );
}

const typeOption = (name: string, help: string): Option =>
  new Option(`--${name}-type <type>`, help).choices(TYPES);
const orderOption = (): Option =>
  new Option(
    '--decryption-order <types>',
    'comma separated list of decryption key types (SOPS_DECRYPTION_ORDER)',
  );

interface CommonOpts extends KeyOptions {
  inPlace?: boolean;
  outputFile?: string;
  inputType?: string;
  outputType?: string;
  filenameOverride?: string;
  ignoreMac?: boolean;
  decryptionOrder?: string;
  extract?: string;
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  shamirSecretSharingThreshold?: number;
}

/**
 * sops's `--output FILE` meets Chartroom's global `-o/--output <format>`: on the commands that
 * have sops's flag (encrypt, decrypt, rotate) the long form means the file, as users of sops
 * expect; `-o json` still selects JSON output. Rewritten before the global option sees it.
 */
function routeSopsOutputFlag(program: Command): void {
  const original = program.parseOptions.bind(program);
  program.parseOptions = (argv: string[]) => {
    const at = argv.indexOf('secrets');
    const sub = argv[at + 1];
    if (at < 0 || (sub !== 'encrypt' && sub !== 'decrypt' && sub !== 'rotate')) return original(argv);
    const rewritten = argv.map((arg, i) => {
      if (i <= at + 1) return arg;
      if (arg === '--output') return '--output-file';
      return arg.startsWith('--output=') ? `--output-file=${arg.slice('--output='.length)}` : arg;
    });
    return original(rewritten);
  };
}

function rules(opts: CommonOpts, globals: ReturnType<typeof runtimeFor>['globals']): CryptRules {
  const out: CryptRules = {};
  const candidates = {
    unencryptedSuffix: opts.unencryptedSuffix,
    encryptedSuffix: opts.encryptedSuffix,
    unencryptedRegex: opts.unencryptedRegex,
    encryptedRegex: opts.encryptedRegex,
    unencryptedCommentRegex: globals.unencryptedCommentRegex,
    encryptedCommentRegex: globals.encryptedCommentRegex,
  };
  for (const [k, v] of Object.entries(candidates))
    if (v !== undefined && v !== '') out[k as keyof typeof candidates] = v;
  if (globals.macOnlyEncrypted === true) out.macOnlyEncrypted = true;
  return out;
}

function typeOpts(opts: CommonOpts, indent: number | undefined) {
  return {
    ...(opts.inputType === undefined ? {} : { inputType: opts.inputType }),
    ...(opts.outputType === undefined ? {} : { outputType: opts.outputType }),
    ...(indent === undefined ? {} : { indent }),
  };
}

export const registerSecrets: CommandGroup = (program: Command, io: CliIo) => {
  routeSopsOutputFlag(program);
  const secrets = program
    .command('secrets')
    .description(
      'SOPS-compatible encrypted files: encrypt, decrypt, edit, rotate, … (interchangeable with sops 3.x)',
    )
    .option('--config <path>', 'path to .sops.yaml (SOPS_CONFIG); no search when given')
    .option('--indent <n>', 'spaces to indent YAML or JSON output', toInt)
    .option('--mac-only-encrypted', 'compute the MAC only over values which end up encrypted')
    .option('--unencrypted-comment-regex <re>', 'values after a comment matching the regex stay in clear')
    .option('--encrypted-comment-regex <re>', 'only values after a comment matching the regex are encrypted')
    .option('--verbose', 'accepted for sops compatibility')
    .option('--disable-version-check', 'accepted for sops compatibility');

  keyOptions(
    ruleOptions(
      secrets
        .command('encrypt')
        .description('encrypt a file (stdin without a file, then --filename-override is required)')
        .argument('[file]')
        .option('-i, --in-place', 'write output back to the same file instead of stdout')
        .option('--output-file <file>', 'save the output to this file (also accepted as --output)')
        .addOption(typeOption('input', 'input format (default: from the extension)'))
        .addOption(typeOption('output', 'output format (default: from the extension)'))
        .option('--filename-override <name>', 'use this name for the format and the creation rules'),
    ),
  ).action(async (file: string | undefined, opts: CommonOpts, cmd: Command) => {
    const ctx = contextFor(cmd, io);
    const rt = runtimeFor(ctx, cmd);
    const api = await secretsApi();
    await conflictingOutput(opts);
    if (file === undefined) {
      if (opts.inPlace === true)
        throw new api.SecretsError(
          'conflictingParameters',
          'Error: cannot use --in-place when reading from stdin',
        );
      if (opts.filenameOverride === undefined)
        throw new api.SecretsError(
          'conflictingParameters',
          'Error: must specify --filename-override when reading from stdin',
        );
    }
    const input =
      file === undefined ? { path: undefined, data: await readStdin() } : await requireFile(ctx, file);
    const path = resolve(ctx.cwd, opts.filenameOverride ?? input.path ?? 'stdin');
    const output = await api.encryptContent(rt, {
      input: input.data,
      path,
      ...typeOpts(opts, rt.globals.indent),
      keys: keyFlags(opts, ctx.env),
      rules: rules(opts, rt.globals),
      ...(opts.shamirSecretSharingThreshold === undefined
        ? {}
        : { shamirThreshold: opts.shamirSecretSharingThreshold }),
    });
    await writeResult(ctx, opts, input.path, output);
  });

  secrets
    .command('decrypt')
    .description('decrypt a file to stdout (stdin without a file)')
    .argument('[file]')
    .option('-i, --in-place', 'write output back to the same file instead of stdout')
    .option('--extract <path>', 'extract a key or branch, e.g. \'["somekey"][0]\'')
    .option('--output-file <file>', 'save the output to this file (also accepted as --output)')
    .addOption(typeOption('input', 'input format (default: from the extension)'))
    .addOption(typeOption('output', 'output format (default: from the extension)'))
    .option('--ignore-mac', 'ignore the Message Authentication Code')
    .option('--filename-override <name>', 'use this name to pick the format')
    .addOption(orderOption())
    .action(async (file: string | undefined, opts: CommonOpts, cmd: Command) => {
      const ctx = contextFor(cmd, io);
      const rt = runtimeFor(ctx, cmd);
      const api = await secretsApi();
      if (file === undefined && opts.inPlace === true)
        throw new api.SecretsError(
          'conflictingParameters',
          'Error: cannot use --in-place when reading from stdin',
        );
      await conflictingOutput(opts);
      const input =
        file === undefined ? { path: undefined, data: await readStdin() } : await requireFile(ctx, file);
      const path =
        opts.filenameOverride === undefined
          ? (input.path ?? resolve(ctx.cwd, 'stdin'))
          : resolve(ctx.cwd, opts.filenameOverride);
      let extract;
      try {
        extract = opts.extract === undefined ? undefined : api.parseTreePath(opts.extract);
      } catch (cause) {
        throw new api.SecretsError(
          'invalidTreePathFormat',
          `error parsing --extract path: ${(cause as Error).message}`,
          { cause },
        );
      }
      const order = await decryptionOrder(opts.decryptionOrder, ctx.env);
      const output = await api.decryptContent(rt, {
        input: input.data,
        path,
        ...typeOpts(opts, rt.globals.indent),
        ...(extract === undefined ? {} : { extract }),
        ...(opts.ignoreMac === true ? { ignoreMac: true } : {}),
        ...(order === undefined ? {} : { decryptionOrder: order }),
      });
      await writeResult(ctx, opts, input.path, output);
    });

  registerEdit(secrets, io);
  registerRotate(secrets, io);
  registerValues(secrets, io);
  registerExec(secrets, io);
  registerTools(secrets, io);
};

function registerEdit(secrets: Command, io: CliIo): void {
  keyOptions(
    ruleOptions(
      secrets
        .command('edit')
        .description('edit an encrypted file in $SOPS_EDITOR/$EDITOR (a new file starts from an example)')
        .argument('<file>')
        .addOption(typeOption('input', 'input format (default: from the extension)'))
        .addOption(typeOption('output', 'output format (default: from the extension)'))
        .option('-s, --show-master-keys', 'show the metadata in the editor')
        .option('--ignore-mac', 'ignore the Message Authentication Code')
        .addOption(orderOption()),
    ),
  ).action(async (file: string, opts: CommonOpts & { showMasterKeys?: boolean }, cmd: Command) => {
    const ctx = contextFor(cmd, io);
    const rt = runtimeFor(ctx, cmd);
    const api = await secretsApi();
    const path = resolve(ctx.cwd, file);
    const input = existsSync(path) ? (await requireFile(ctx, file)).data : undefined;
    const order = await decryptionOrder(opts.decryptionOrder, ctx.env);
    const output = await api.editContent(rt, {
      input,
      path,
      ...typeOpts(opts, rt.globals.indent),
      keys: keyFlags(opts, ctx.env),
      rules: rules(opts, rt.globals),
      ...(opts.shamirSecretSharingThreshold === undefined
        ? {}
        : { shamirThreshold: opts.shamirSecretSharingThreshold }),
      ...(opts.ignoreMac === true ? { ignoreMac: true } : {}),
      ...(opts.showMasterKeys === true ? { showMasterKeys: true } : {}),
      ...(order === undefined ? {} : { decryptionOrder: order }),
      retry: async (problem) => {
        ctx.out.warn(`${problem} Press enter to return to the editor, or Ctrl+C to exit.`);
        return (await readStdinLine()) !== undefined;
      },
    });
    await api.writeFileAtomic(path, output);
  });
}

const ADD_RM = ['kms', 'pgp', 'age', 'gcp-kms', 'azure-kv', 'hc-vault-transit', 'hckms'] as const;

function registerRotate(secrets: Command, io: CliIo): void {
  const rotate = secrets
    .command('rotate')
    .description('generate a new data key and re-encrypt every value (optionally adding/removing keys)')
    .argument('<file>')
    .option('-i, --in-place', 'write output back to the same file instead of stdout')
    .option('--output-file <file>', 'save the output to this file (also accepted as --output)')
    .addOption(typeOption('input', 'input format (default: from the extension)'))
    .addOption(typeOption('output', 'output format (default: from the extension)'))
    .option('--encryption-context <pairs>', 'KMS encryption context for added/removed KMS keys')
    .option('--ignore-mac', 'ignore the Message Authentication Code')
    .option('--filename-override <name>', 'use this name to pick the format')
    .addOption(orderOption());
  for (const kind of ADD_RM) {
    rotate
      .option(`--add-${kind} <keys>`, `add these ${kind} keys`)
      .option(`--rm-${kind} <keys>`, `remove these ${kind} keys`);
  }
  rotate.action(async (file: string, opts: CommonOpts & Record<string, string | undefined>, cmd: Command) => {
    const ctx = contextFor(cmd, io);
    const rt = runtimeFor(ctx, cmd);
    const api = await secretsApi();
    await conflictingOutput(opts);
    const path = resolve(ctx.cwd, file);
    const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const side = (prefix: 'add' | 'rm'): KeyOptions => {
      const out: Record<string, string> = {};
      for (const kind of ADD_RM) {
        const v = opts[camel(`${prefix}-${kind}`)];
        if (v !== undefined) out[camel(kind)] = v;
      }
      if (opts.encryptionContext !== undefined) out.encryptionContext = opts.encryptionContext;
      return out;
    };
    const add = side('add');
    const rm = side('rm');
    if (!existsSync(path) && Object.keys(add).length + Object.keys(rm).length > 0) {
      throw new api.SecretsError(
        'cannotChangeKeysFromNonExistentFile',
        `Error: cannot add or remove keys on non-existent file "${path}", use the \`edit\` subcommand instead.`,
      );
    }
    const input = await requireFile(ctx, file);
    const order = await decryptionOrder(opts.decryptionOrder, ctx.env);
    const output = await api.rotateContent(rt, {
      input: input.data,
      path: opts.filenameOverride === undefined ? path : resolve(ctx.cwd, opts.filenameOverride),
      ...typeOpts(opts, rt.globals.indent),
      add: keyFlags(add, {}),
      remove: keyFlags(rm, {}),
      ...(opts.ignoreMac === true ? { ignoreMac: true } : {}),
      ...(order === undefined ? {} : { decryptionOrder: order }),
    });
    await writeResult(ctx, opts, input.path, output);
  });

  secrets
    .command('updatekeys')
    .description('re-wrap the data key for the keys the matching creation rule now lists')
    .argument('<files...>')
    .option('-y, --yes', 'pre-approve all changes and run non-interactively')
    .addOption(typeOption('input', 'input format (default: from the extension)'))
    .option('--shamir-secret-sharing-threshold <n>', 'override the Shamir threshold', toInt)
    .action(async (files: string[], opts: CommonOpts & { yes?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd, io);
      const rt = runtimeFor(ctx, cmd);
      const api = await secretsApi();
      let failed = 0;
      for (const file of files) {
        try {
          const input = await requireFile(ctx, file);
          const result = await api.updateKeysContent(rt, {
            input: input.data,
            path: input.path,
            ...(opts.inputType === undefined ? {} : { inputType: opts.inputType }),
            ...(opts.shamirSecretSharingThreshold === undefined
              ? {}
              : { shamirThreshold: opts.shamirSecretSharingThreshold }),
            confirm: async (plan) => {
              ctx.out.line("The following changes will be made to the file's groups:");
              printPlan(ctx.out.line.bind(ctx.out), plan);
              if (opts.yes === true) return true;
              for (;;) {
                io.stdout.write('Is this okay? (y/n):');
                const answer = await readStdinLine();
                if (answer === undefined || answer.trim() === 'n') return false;
                if (answer.trim() === 'y') return true;
              }
            },
          });
          if (result.changed) {
            await api.writeFileAtomic(input.path, result.output);
            ctx.out.info(`File ${input.path} synced with new keys`);
          } else {
            ctx.out.info(
              result.reason === 'up-to-date'
                ? `File ${input.path} already up to date`
                : `File ${input.path} left unchanged`,
            );
          }
        } catch (cause) {
          if (files.length === 1) throw cause;
          failed++;
          ctx.out.warn(`${file}: ${(cause as Error).message}`);
        }
      }
      if (failed > 0) throw new api.SecretsError('generic', `failed updating ${failed} key(s)`);
    });
}

function printPlan(line: (s: string) => void, plan: UpdateKeysPlan): void {
  if (plan.thresholdFrom > 0 && plan.thresholdFrom === plan.thresholdTo)
    line(`shamir_threshold: ${plan.thresholdTo}`);
  else {
    if (plan.thresholdTo > 0) line(`+++ shamir_threshold: ${plan.thresholdTo}`);
    if (plan.thresholdFrom > 0) line(`--- shamir_threshold: ${plan.thresholdFrom}`);
  }
  plan.groups.forEach((g, i) => {
    line(`Group ${i + 1}`);
    for (const k of g.common) line(`    ${k}`);
    for (const k of g.added) line(`+++ ${k}`);
    for (const k of g.removed) line(`--- ${k}`);
  });
}

function registerValues(secrets: Command, io: CliIo): void {
  secrets
    .command('set')
    .description('set a key or branch: set FILE \'["a"]["b"]\' \'<json value>\'')
    .argument('<file>')
    .argument('<index>')
    .argument('[value]')
    .addOption(typeOption('input', 'input format (default: from the extension)'))
    .addOption(typeOption('output', 'output format (default: from the extension)'))
    .option('--value-file', "treat 'value' as a file to read the value from")
    .option('--value-stdin', 'read the value from stdin')
    .option('--shamir-secret-sharing-threshold <n>', 'accepted for sops compatibility', toInt)
    .option('--ignore-mac', 'ignore the Message Authentication Code')
    .option('--idempotent', 'do not write the file if the value is already set')
    .addOption(orderOption())
    .action(
      async (
        file: string,
        index: string,
        value: string | undefined,
        opts: CommonOpts & { valueFile?: boolean; valueStdin?: boolean; idempotent?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextFor(cmd, io);
        const rt = runtimeFor(ctx, cmd);
        const api = await secretsApi();
        if (opts.valueFile === true && opts.valueStdin === true)
          throw new api.SecretsError('generic', 'Error: cannot use both --value-file and --value-stdin');
        if (opts.valueStdin === true ? value !== undefined : value === undefined) {
          throw new api.SecretsError(
            'noFileSpecified',
            'Error: no file specified, or index and value are missing. Need precisely 3 positional arguments (2 with --value-stdin).',
          );
        }
        let treePath;
        try {
          treePath = api.parseTreePath(index);
        } catch (cause) {
          throw new api.SecretsError('invalidSetFormat', 'Invalid set index format', { cause });
        }
        const raw =
          opts.valueStdin === true
            ? (await readStdin()).toString('utf8')
            : opts.valueFile === true
              ? await readFile(resolve(ctx.cwd, value ?? ''), 'utf8')
              : (value ?? '');
        const input = await requireFile(ctx, file);
        const order = await decryptionOrder(opts.decryptionOrder, ctx.env);
        const result = await api.setContent(rt, {
          input: input.data,
          path: input.path,
          ...typeOpts(opts, rt.globals.indent),
          treePath,
          value: api.jsonToTreeValue(raw),
          ...(opts.ignoreMac === true ? { ignoreMac: true } : {}),
          ...(order === undefined ? {} : { decryptionOrder: order }),
        });
        if (!result.changed && opts.idempotent === true) {
          ctx.out.info('File not written due to no change');
          return;
        }
        await api.writeFileAtomic(input.path, result.output);
      },
    );

  secrets
    .command('unset')
    .description('remove a key or branch: unset FILE \'["a"]["b"]\'')
    .argument('<file>')
    .argument('<index>')
    .addOption(typeOption('input', 'input format (default: from the extension)'))
    .addOption(typeOption('output', 'output format (default: from the extension)'))
    .option('--shamir-secret-sharing-threshold <n>', 'accepted for sops compatibility', toInt)
    .option('--ignore-mac', 'ignore the Message Authentication Code')
    .option('--idempotent', 'succeed without writing if the key does not exist')
    .addOption(orderOption())
    .action(
      async (file: string, index: string, opts: CommonOpts & { idempotent?: boolean }, cmd: Command) => {
        const ctx = contextFor(cmd, io);
        const rt = runtimeFor(ctx, cmd);
        const api = await secretsApi();
        let treePath;
        try {
          treePath = api.parseTreePath(index);
        } catch (cause) {
          throw new api.SecretsError('invalidSetFormat', 'Invalid unset index format', { cause });
        }
        const input = await requireFile(ctx, file);
        const order = await decryptionOrder(opts.decryptionOrder, ctx.env);
        try {
          const output = await api.unsetContent(rt, {
            input: input.data,
            path: input.path,
            ...typeOpts(opts, rt.globals.indent),
            treePath,
            ...(opts.ignoreMac === true ? { ignoreMac: true } : {}),
            ...(order === undefined ? {} : { decryptionOrder: order }),
          });
          await api.writeFileAtomic(input.path, output);
        } catch (cause) {
          if (cause instanceof api.NothingToUnsetError && opts.idempotent === true) return;
          throw cause;
        }
      },
    );
}

function registerExec(secrets: Command, io: CliIo): void {
  secrets
    .command('exec-env')
    .description('run a command with the decrypted values in its environment')
    .argument('<file>')
    .argument('<command>')
    .option('--background', 'do not wait for the command (deprecated in sops)')
    .option('--pristine', 'pass only the decrypted values, not the current environment')
    .option('--user <user>', 'the user to run the command as')
    .option(
      '--same-process',
      'accepted for sops compatibility: the command runs as a child whose exit code becomes ours',
    )
    .option('--ignore-mac', 'ignore the Message Authentication Code')
    .addOption(orderOption())
    .action(
      async (
        file: string,
        command: string,
        opts: CommonOpts & { background?: boolean; pristine?: boolean; user?: string; sameProcess?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextFor(cmd, io);
        const rt = runtimeFor(ctx, cmd);
        const api = await secretsApi();
        if (opts.background === true && opts.sameProcess === true) {
          throw new api.SecretsError(
            'conflictingParameters',
            'Error: The --same-process flag cannot be used with --background',
          );
        }
        const input = await requireFile(ctx, file);
        const order = await decryptionOrder(opts.decryptionOrder, ctx.env);
        const doc = await api.decryptToTree(
          rt,
          {
            input: input.data,
            path: input.path,
            outputType: 'dotenv',
            ...(opts.ignoreMac === true ? { ignoreMac: true } : {}),
            ...(order === undefined ? {} : { decryptionOrder: order }),
          },
          { rememberIvs: false },
        );
        const code = await api.execWithEnv({
          command,
          env: ctx.env,
          signal: ctx.signal,
          values: api.envFromTree(doc.branches[0]),
          ...(opts.pristine === true ? { pristine: true } : {}),
          ...(opts.user === undefined ? {} : { user: opts.user }),
          ...(opts.background === true ? { background: true } : {}),
        });
        await exitWith(code);
      },
    );

  secrets
    .command('exec-file')
    .description('run a command with the decrypted file as a temporary FIFO ({} is its path)')
    .argument('<file>')
    .argument('<command>')
    .option('--background', 'do not wait for the command (deprecated in sops)')
    .option('--no-fifo', 'use a regular 0600 file instead of a FIFO')
    .option('--user <user>', 'the user to run the command as')
    .addOption(typeOption('input', 'input format (default: from the extension)'))
    .addOption(typeOption('output', 'output format (default: from the extension)'))
    .option('--filename <name>', 'name of the temporary file (default: tmp-file)')
    .option('--ignore-mac', 'ignore the Message Authentication Code')
    .addOption(orderOption())
    .action(
      async (
        file: string,
        command: string,
        opts: CommonOpts & { background?: boolean; fifo: boolean; user?: string; filename?: string },
        cmd: Command,
      ) => {
        const ctx = contextFor(cmd, io);
        const rt = runtimeFor(ctx, cmd);
        const api = await secretsApi();
        const input = await requireFile(ctx, file);
        const order = await decryptionOrder(opts.decryptionOrder, ctx.env);
        const plaintext = await api.decryptContent(rt, {
          input: input.data,
          path: input.path,
          ...typeOpts(opts, rt.globals.indent),
          ...(opts.ignoreMac === true ? { ignoreMac: true } : {}),
          ...(order === undefined ? {} : { decryptionOrder: order }),
        });
        const code = await api.execWithFile({
          command,
          env: ctx.env,
          signal: ctx.signal,
          plaintext,
          fifo: opts.fifo,
          ...(opts.filename === undefined ? {} : { filename: opts.filename }),
          ...(opts.user === undefined ? {} : { user: opts.user }),
          ...(opts.background === true ? { background: true } : {}),
        });
        await exitWith(code);
      },
    );
}

async function exitWith(code: number): Promise<void> {
  if (code === 0) return;
  const { ExitRequest } = await import('./program.js');
  throw new ExitRequest(code);
}

function registerTools(secrets: Command, io: CliIo): void {
  secrets
    .command('filestatus')
    .description('print {"encrypted":true|false} for a file')
    .argument('<file>')
    .addOption(typeOption('input', 'input format (default: from the extension)'))
    .action(async (file: string, opts: CommonOpts, cmd: Command) => {
      const ctx = contextFor(cmd, io);
      const api = await secretsApi();
      const path = resolve(ctx.cwd, file);
      let data: Buffer;
      try {
        data = await readFile(path);
      } catch (cause) {
        throw new api.SecretsError(
          'generic',
          `cannot check file status: cannot load encrypted file: Error reading file: ${(cause as Error).message}`,
          { cause },
        );
      }
      ctx.out.raw(JSON.stringify(api.fileStatus(data, path, opts.inputType)) + '\n');
    });

  secrets
    .command('diff')
    .description("decrypted diff for git: --textconv FILE, or OLD NEW, or git's 7 diff-driver arguments")
    .argument('[files...]')
    .option('--textconv', 'print the decrypted content of one file (git diff.<driver>.textconv)')
    .action(async (files: string[], opts: { textconv?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd, io);
      const rt = runtimeFor(ctx, cmd);
      const api = await secretsApi();
      if (opts.textconv === true) {
        const [only] = files;
        if (only === undefined || files.length !== 1)
          throw new api.SecretsError('generic', '--textconv takes exactly one file');
        ctx.out.raw(await api.textconv(rt, resolve(ctx.cwd, only)));
        return;
      }
      // git's driver arguments: path old-file old-hex old-mode new-file new-hex new-mode.
      const args =
        files.length === 7
          ? files.map((f, i) => ((i === 1 || i === 4) && f !== '/dev/null' ? resolve(ctx.cwd, f) : f))
          : files.map((f) => resolve(ctx.cwd, f));
      ctx.out.raw(await api.decryptedDiff(rt, args));
    });

  secrets
    .command('check')
    .description(
      'find plaintext secrets, unencrypted files covered by .sops.yaml, and keys missing between environments',
    )
    .argument('[paths...]')
    .action(async (paths: string[], _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd, io);
      const api = await secretsApi();
      const result = await api.checkPaths(ctx.cwd, paths);
      ctx.out.result(result, (r, out) => {
        for (const f of r.findings)
          out.line(`${f.file}${f.line === undefined ? '' : `:${f.line}`}: ${f.kind}: ${f.message}`);
        out.line(`${r.files} file(s) checked, ${r.findings.length} finding(s)`);
      });
      if (result.findings.length > 0) await exitWith(1);
    });
}

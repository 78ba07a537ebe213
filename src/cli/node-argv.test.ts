import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { MemoryStream } from '../testing/memory-stream.js';
import { loadCommandGroups } from './groups.js';
import { createProgram } from './program.js';

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

// Node reads --env-file (and, in some versions, any --env-file* prefix) from anywhere in argv, even
// after the script, and exits 9 with "node: FILE: not found" before Chartroom runs when the file
// does not exist yet (nodejs/node#54232, #54255). `dev --env-file` was unusable that way.
describe('flags Node takes for itself', () => {
  it('no chartroom command has an option starting with --env-file', async () => {
    const io = {
      stdout: new MemoryStream(),
      stderr: new MemoryStream(),
      env: {},
      cwd: process.cwd(),
      signal: new AbortController().signal,
    };
    const program = createProgram(io, await loadCommandGroups());
    const offending = allCommands(program).flatMap((command) =>
      command.options
        .filter((option) => option.long?.startsWith('--env-file') === true)
        .map((option) => `${command.name()} ${option.long ?? ''}`),
    );
    expect(offending).toEqual([]);
  });
});

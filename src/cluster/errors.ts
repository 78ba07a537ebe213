import { ChartroomError, ExitCode } from '../core/errors.js';
import { lastLines } from './supervisor.js';

export function peerMissing(binary: string): ChartroomError {
  return new ChartroomError(`${binary} is not installed`, {
    code: 'peer-missing',
    exitCode: ExitCode.peer,
    hint: 'Run `npm run peers` in the Chartroom checkout to build the control plane components.',
  });
}

/** A component that exited or never became healthy, with the end of its log. */
export function componentFailed(component: string, what: string, logFile: string): ChartroomError {
  const tail = lastLines(logFile, 15);
  const log =
    tail.length === 0
      ? ''
      : `\n  last log lines (${logFile}):\n${tail.map((line) => `    ${line}`).join('\n')}`;
  return new ChartroomError(`${component} ${what}${log}`, {
    code: 'cluster-component-failed',
    exitCode: ExitCode.remote,
    hint: `See ${logFile}; run \`chartroom cluster down\` and try again.`,
  });
}

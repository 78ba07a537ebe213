import { ChartroomError, ExitCode } from '../../core/errors.js';

export function requestNotFound(id: string): ChartroomError {
  return new ChartroomError(`no access request ${id}`, {
    code: 'access-request-not-found',
    exitCode: ExitCode.notFound,
    hint: 'List requests with `chartroom access requests`.',
  });
}

export function notAllowed(message: string, hint: string): ChartroomError {
  return new ChartroomError(message, { code: 'access-not-allowed', exitCode: ExitCode.permission, hint });
}

export function wrongState(id: string, state: string, wanted: string): ChartroomError {
  return new ChartroomError(`access request ${id} is ${state}, not ${wanted}`, {
    code: 'access-request-state',
    exitCode: ExitCode.conflict,
    hint: 'Someone may have decided it already; see `chartroom access requests --all`.',
  });
}

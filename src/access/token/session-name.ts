import { userInfo } from 'node:os';

/** `chartroom-<user>`, reduced to what STS allows in a session name ([\w+=,.@-], 2–64 chars). */
export function defaultSessionName(): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep the generic name.
  }
  return `chartroom-${user}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

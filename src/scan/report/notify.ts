/** Posts the summary to a Slack incoming webhook (or any webhook taking JSON). */
import { ExitCode } from '../../core/errors.js';
import { ScanError } from '../errors.js';

export async function postWebhook(url: string, body: object, signal?: AbortSignal): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'chartroom-scan' },
      body: JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (error) {
    throw new ScanError(`cannot post to the webhook ${new URL(url).host}: ${(error as Error).message}`, {
      code: 'notify-failed',
      exitCode: ExitCode.remote,
      hint: 'Check the webhook URL; the scan itself finished and its report was written.',
      cause: error,
    });
  }
  await response.body?.cancel();
  if (!response.ok) {
    throw new ScanError(`the webhook ${new URL(url).host} answered ${response.status}`, {
      code: 'notify-failed',
      exitCode: ExitCode.remote,
      hint: 'Check the webhook URL and its token; the scan itself finished.',
    });
  }
}

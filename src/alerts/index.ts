import type { AlertsConfig } from '../pipeline/config.js';
import type { Console } from '../console/console.js';
import { sendEmail } from './email.js';
import { postSlack } from './slack.js';
import type { Alert, ChannelResult } from './types.js';

export type { Alert, ChannelResult } from './types.js';

/**
 * Sends an alert to every configured channel whose events include it. A channel that fails
 * (server down, HTTP 500) is logged and reported in the result; it never throws, so an alert
 * problem cannot hide or change the pipeline's own result.
 */
export async function sendAlert(cfg: AlertsConfig, a: Alert, cons?: Console): Promise<ChannelResult[]> {
  if (!cfg.events.includes(a.event)) return [];
  const jobs: Promise<ChannelResult>[] = [];
  const attempt = (channel: ChannelResult['channel'], f: () => Promise<void>) =>
    f().then(
      () => ({ channel, ok: true, error: null }),
      (e: unknown) => {
        const msg = (e as Error).message ?? String(e);
        cons?.emit({ type: 'warn', msg: `alert to ${channel} failed (the pipeline result is unchanged): ${msg}` });
        return { channel, ok: false, error: msg };
      },
    );
  if (cfg.slack) jobs.push(attempt('slack', () => postSlack(cfg.slack!.webhookUrl, a)));
  if (cfg.email) jobs.push(attempt('email', () => sendEmail(cfg.email!, a)));
  return Promise.all(jobs);
}

/** The node's page on the site `mflow docs generate` writes (route `#/node/<unique_id>`). */
export function docsLink(docsUrl: string | null, node: string | null): string | null {
  if (!docsUrl || !node) return null;
  return `${docsUrl.replace(/\/+$/, '')}/#/node/${encodeURIComponent(node)}`;
}

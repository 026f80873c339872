import type { Alert } from './types.js';
import { title } from './types.js';

/** The Block Kit message posted to a Slack incoming webhook. */
export function slackMessage(a: Alert): Record<string, unknown> {
  const fields = [
    `*Run*\n${a.runId}`,
    `*Step*\n${a.step ?? '-'}`,
    `*Attempt*\n${a.attempt} of ${a.maxAttempts}`,
    `*Node*\n${a.node ? (a.docsLink ? `<${a.docsLink}|${a.node}>` : a.node) : '-'}`,
  ].map((text) => ({ type: 'mrkdwn', text }));
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: title(a).slice(0, 150) } },
    { type: 'section', fields },
  ];
  if (a.error) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Error*\n${a.error.slice(0, 2900)}` } });
  if (a.logExcerpt) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '```' + a.logExcerpt.slice(-2800) + '```' } });
  if (a.docsLink) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Docs: <${a.docsLink}>` }] });
  return { text: title(a), blocks };
}

export async function postSlack(webhookUrl: string, a: Alert, timeoutMs = 10_000): Promise<void> {
  const r = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackMessage(a)), signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`Slack webhook answered HTTP ${r.status}: ${(await r.text().catch(() => '')).slice(0, 200)}`);
}

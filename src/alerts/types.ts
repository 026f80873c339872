/** One alert: what happened to which run, step and node, and where to look. */
export interface Alert {
  event: 'failure' | 'retry' | 'success' | 'audit_warning';
  project: string;
  runId: string;
  step: string | null;
  node: string | null;
  error: string | null;
  /** The last lines of the step's log. */
  logExcerpt: string;
  attempt: number;
  maxAttempts: number;
  /** Link to the failed node's page on the docs site, when a docs URL is configured. */
  docsLink: string | null;
  /** ISO time the alert was raised. */
  at: string;
}

export interface ChannelResult {
  channel: 'slack' | 'email';
  ok: boolean;
  error: string | null;
}

export function title(a: Alert): string {
  const what = { failure: 'FAILED', retry: 'is retrying', success: 'succeeded', audit_warning: 'audit warning' }[a.event];
  return `[${a.project}] pipeline ${a.step ? `step ${a.step} ` : ''}${what} (run ${a.runId})`;
}

export function plainText(a: Alert): string {
  return [
    title(a),
    `Run: ${a.runId}`,
    `Step: ${a.step ?? '-'} (attempt ${a.attempt} of ${a.maxAttempts})`,
    `Node: ${a.node ?? '-'}`,
    `Error: ${a.error ?? '-'}`,
    a.docsLink ? `Docs: ${a.docsLink}` : '',
    '',
    'Log excerpt:',
    a.logExcerpt || '(empty)',
  ].filter((l, i) => l !== '' || i > 5).join('\n');
}

import nodemailer from 'nodemailer';
import type { EmailChannel } from '../pipeline/config.js';
import { plainText, title, type Alert } from './types.js';

/** Email over SMTP with nodemailer: STARTTLS required when configured, auth when a user is set. */
export async function sendEmail(ch: EmailChannel, a: Alert, timeoutMs = 15_000): Promise<void> {
  const transport = nodemailer.createTransport({
    host: ch.host,
    port: ch.port,
    secure: ch.secure,
    requireTLS: ch.starttls,
    ignoreTLS: !ch.secure && !ch.starttls,
    auth: ch.user ? { user: ch.user, pass: ch.password ?? '' } : undefined,
    tls: { rejectUnauthorized: !ch.tlsInsecure },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({ from: ch.from, to: ch.to, subject: title(a), text: plainText(a), headers: { 'X-Mflow-Run-Id': a.runId, 'X-Mflow-Event': a.event } });
  } finally {
    transport.close();
  }
}

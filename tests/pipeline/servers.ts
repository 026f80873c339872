/**
 * Real local servers that receive the pipeline's alerts: an SMTP server (smtp-server, with
 * STARTTLS on its built-in certificate and password auth) whose messages are parsed with
 * mailparser, and an HTTP server standing in for a Slack incoming webhook. Both bind 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface MailSink {
  port: number;
  mails: ParsedMail[];
  logins: string[];
  tls: boolean[];
  close(): Promise<void>;
}

export async function startSmtp(user: string, password: string): Promise<MailSink> {
  const mails: ParsedMail[] = [];
  const logins: string[] = [];
  const tls: boolean[] = [];
  const server = new SMTPServer({
    secure: false,
    authMethods: ['PLAIN', 'LOGIN'],
    // Auth only after STARTTLS, as a real relay requires.
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, session, cb) {
      if (auth.username === user && auth.password === password) {
        logins.push(auth.username!);
        return cb(null, { user: auth.username });
      }
      return cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      tls.push(Boolean(session.secure));
      simpleParser(stream).then(
        (m) => {
          mails.push(m);
          cb();
        },
        (e: Error) => cb(e),
      );
    },
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, logins, tls, close: () => new Promise<void>((res) => server.close(() => res())) };
}

export interface WebhookSink {
  url: string;
  posts: Array<{ text: string; blocks: Array<Record<string, unknown>> }>;
  /** Answer every request with this status (500 to play a failing Slack). */
  status: number;
  close(): Promise<void>;
}

export async function startWebhook(): Promise<WebhookSink> {
  const sink: WebhookSink = { url: '', posts: [], status: 200, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'POST' && req.headers['content-type']?.startsWith('application/json') && sink.status === 200) sink.posts.push(JSON.parse(body));
      res.writeHead(sink.status, { 'content-type': 'text/plain' });
      res.end(sink.status === 200 ? 'ok' : 'server_error');
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXX`;
  sink.close = () => new Promise<void>((res) => server.close(() => res()));
  return sink;
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', () => res()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

/** Everything an alert carries, as text: the Slack blocks or the mail body. */
export const slackText = (p: WebhookSink['posts'][number]) => JSON.stringify(p.blocks);

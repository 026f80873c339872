import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedRequest {
  path: string;
  range: string | null;
  status: number;
}

/**
 * A local HTTP server for downloader tests: serves fixed bytes per path, honours Range requests,
 * and can cut the connection after N bytes on the first request of a path (a dropped download).
 */
export async function startZipServer(files: Map<string, Uint8Array>, dropFirstAfter: Map<string, number> = new Map()): Promise<{ url: string; requests: ServedRequest[]; close(): Promise<void> }> {
  const requests: ServedRequest[] = [];
  const dropped = new Set<string>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const body = files.get(path);
    const range = req.headers.range ?? null;
    if (!body) {
      requests.push({ path, range, status: 404 });
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const m = range?.match(/^bytes=(\d+)-$/);
    if (m) start = Number(m[1]);
    if (start >= body.length && m) {
      requests.push({ path, range, status: 416 });
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    const status = m ? 206 : 200;
    requests.push({ path, range, status });
    const headers: Record<string, string | number> = { 'Content-Type': 'application/zip', 'Content-Length': body.length - start, 'Accept-Ranges': 'bytes' };
    if (m) headers['Content-Range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(status, headers);
    const cut = dropFirstAfter.get(path);
    if (cut !== undefined && !dropped.has(path)) {
      dropped.add(path);
      res.write(Buffer.from(body.subarray(start, cut)), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(Buffer.from(body.subarray(start)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

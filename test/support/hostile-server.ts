import type http from 'node:http';
import { json, startHttpServer, startTcpServer } from './servers.js';
import type { TestServer } from './servers.js';

/** JSON nested this deep overflows any recursive walk (JSONPath's `..`, JSON.stringify). */
export const DEEP_LEVELS = 100_000;
export const DEEP_JSON = `${'{"a":'.repeat(DEEP_LEVELS)}1${'}'.repeat(DEEP_LEVELS)}`;

export interface HostileServer extends TestServer {
  /** Requests that reached /echo, with their headers: what a careless client would have sent on. */
  echoed: http.IncomingHttpHeaders[];
}

/**
 * An HTTP server that answers the way careless or hostile APIs do, one path per misbehaviour:
 * values a client must not send on, bodies a client must not trust, encodings it must honour.
 */
export async function startHostileServer(): Promise<HostileServer> {
  const echoed: http.IncomingHttpHeaders[] = [];
  const server = await startHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/bad-location':
        res.writeHead(302, { location: 'http://[::1' });
        return res.end();
      case '/crlf':
        return json(res, 200, { value: 'abc\r\nx-injected: yes' });
      case '/non-latin1':
        return json(res, 200, { value: 'snow ☃' });
      case '/bad-pattern':
        return json(res, 200, { pattern: '(unclosed[' });
      case '/deep':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(DEEP_JSON);
      case '/huge-head':
        // A HEAD answer states the size of the body a GET would get, and sends none.
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(20 * 1024 * 1024) });
        return res.end();
      case '/latin1':
        res.writeHead(200, { 'content-type': 'text/plain; charset=ISO-8859-1' });
        return res.end(Buffer.from('café crème', 'latin1'));
      case '/utf16le':
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-16le' });
        return res.end(Buffer.from(JSON.stringify({ city: 'Zürich', snow: '☃' }), 'utf16le'));
      case '/utf16be':
        res.writeHead(200, { 'content-type': 'application/json; charset="UTF-16BE"' });
        return res.end(Buffer.from(JSON.stringify({ city: 'Zürich', snow: '☃' }), 'utf16le').swap16());
      case '/echo':
        echoed.push(req.headers);
        return json(res, 200, { headers: req.headers });
      default:
        return json(res, 404, {});
    }
  });
  return { ...server, echoed };
}

/** A peer that sends a chunked answer and closes the connection in the middle of a chunk. */
export function startMidChunkServer(): Promise<TestServer> {
  return startTcpServer((socket) =>
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n10\r\nhalf a ch');
      socket.end();
    }),
  );
}

/** A peer that accepts a connection and closes it as soon as the client speaks (here: its TLS hello). */
export async function startAcceptThenCloseServer(): Promise<TestServer> {
  const server = await startTcpServer((socket) => socket.once('data', () => socket.destroy()));
  return { ...server, url: `https://127.0.0.1:${server.port}` };
}

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function track(server: http.Server | net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

/** A real HTTP server on 127.0.0.1 with an ephemeral port. */
export async function startHttpServer(handler: Handler): Promise<TestServer> {
  const server = http.createServer(handler);
  const close = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close };
}

export interface SelfSignedCert {
  key: Buffer;
  cert: Buffer;
  /** The certificate's notAfter, Unix seconds. */
  notAfter: number;
}

/** A self-signed certificate for 127.0.0.1/localhost, made with openssl for this test run. */
export function makeSelfSignedCert(days = 30): SelfSignedCert {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const enddate = execFileSync('openssl', ['x509', '-enddate', '-noout', '-in', certFile], { encoding: 'utf8' }).trim().replace('notAfter=', '');
    return { key: readFileSync(keyFile), cert: readFileSync(certFile), notAfter: Date.parse(enddate) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startHttpsServer(cert: SelfSignedCert, handler: Handler): Promise<TestServer> {
  const server = https.createServer({ key: cert.key, cert: cert.cert }, handler);
  const close = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}`, port, close };
}

/** A raw TCP server, for answers no HTTP server would give (cut bodies, garbage, silence). */
export async function startTcpServer(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  const server = net.createServer(onSocket);
  const close = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close };
}

/** A port on 127.0.0.1 that nothing listens on (bound, read, released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// A TCP proxy between one stepwatch instance and PostgreSQL that the test can cut and restore,
// as a network partition does: while cut, bytes in both directions are dropped and new
// connections are accepted but hear nothing (no reset, no error: queries just never answer).
// On restore, the connections that lived through the cut are closed (their protocol stream lost
// bytes, as a real connection would have timed out) and new ones go through again.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface DatabaseProxy {
  port: number;
  /** The same database URL, through the proxy. */
  route(databaseUrl: string): string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startDatabaseProxy(databaseUrl: string): Promise<DatabaseProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  let isCut = false;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (isCut) return;
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (chunk: Buffer) => void (isCut || upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => void (isCut || client.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    route(url) {
      const routed = new URL(url);
      routed.hostname = '127.0.0.1';
      routed.port = String(port);
      return routed.toString();
    },
    cut() {
      isCut = true;
    },
    restore() {
      for (const socket of sockets) socket.destroy();
      isCut = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

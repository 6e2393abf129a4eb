// The benchmark target: a small token endpoint and a bearer-protected API on 127.0.0.1, run in
// its own process so the benchmarks measure the client's CPU alone. Prints its URL, then serves.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const TOKEN = JSON.stringify({ access_token: 'bench-access-token-0123456789abcdef', token_type: 'Bearer', expires_in: 3600 });
const ITEMS = JSON.stringify({ items: Array.from({ length: 5 }, (_, i) => ({ id: `item${i}`, name: `Item ${i}`, price: i * 10 })), total: 5 });

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://target');
  const delay = Number(url.searchParams.get('delay') ?? 0);
  const answer = () => {
    if (url.pathname === '/token') {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(TOKEN) });
      return res.end(TOKEN);
    }
    if (url.pathname === '/items') {
      if (req.headers.authorization !== 'Bearer bench-access-token-0123456789abcdef') {
        res.writeHead(401);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(ITEMS) });
      return res.end(ITEMS);
    }
    res.writeHead(404);
    res.end();
  };
  if (delay > 0) setTimeout(answer, delay);
  else answer();
});
server.keepAliveTimeout = 1;
server.maxConnections = 100_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

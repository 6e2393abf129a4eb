// Writes schema/monitor.schema.json from src/config/schema.ts; `npm test` fails when it is stale.
import { writeFileSync } from 'node:fs';
import { monitorJsonSchema } from '../src/config/schema.js';

export const SCHEMA_FILE = new URL('../schema/monitor.schema.json', import.meta.url);

export function renderSchema(): string {
  return `${JSON.stringify(monitorJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  writeFileSync(SCHEMA_FILE, renderSchema());
  console.log(`wrote ${SCHEMA_FILE.pathname}`);
}

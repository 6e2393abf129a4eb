// Prints where a .cpuprofile spent its samples: self time by function and by area.
import { readFileSync } from 'node:fs';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const profile = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
const areas = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = nodes.get(id);
  const time = profile.timeDeltas[i] ?? 0;
  if (!node || node.callFrame.functionName === '(idle)') return;
  total += time;
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split('/').slice(-2).join('/');
  const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + time);
  const area = url.includes('/src/') || url.includes('/dist/') ? 'stepwatch (src/, dist/)' : url.includes('node_modules/') ? `dependency: ${url.split('node_modules/')[1]?.split('/')[0] ?? '?'}` : url.startsWith('node:') ? 'Node.js core (http, net, streams)' : functionName.startsWith('(') ? functionName : 'V8 built-ins and native';
  areas.set(area, (areas.get(area) ?? 0) + time);
});
const top = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, time]) => `| ${((time / total) * 100).toFixed(1)}% | ${key} |`);
console.log('| share of busy CPU | area |\n|---|---|');
console.log(top(areas, 10).join('\n'));
console.log('\n| share of busy CPU | function (self time) |\n|---|---|');
console.log(top(self, 15).join('\n'));

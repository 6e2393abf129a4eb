import { Html, html } from './html.js';

/**
 * Colours chosen for WCAG AA contrast (4.5:1 or better for text) in both the light and the dark
 * scheme; states also carry text. Phase colours are the Okabe-Ito palette, told apart with
 * colour-blindness too, and every chart has a text alternative.
 */
const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --fg: #1a1a1a; --bg: #fff; --muted: #555; --line: #e3e3e3; --link: #0b57d0; --code-bg: #f6f6f6;
  --ok: #146c2e; --ko: #b3261e; --idle: #5f6368; --off: #444; --problem-bg: #fdf3f2; --grid: #d0d0d0;
  --dns: #0072b2; --connect: #e69f00; --tls: #009e73; --ttfb: #cc79a7; --transfer: #56b4e9; --none: #8a8a8a;
  color: var(--fg); background: var(--bg); }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e8e8; --bg: #121212; --muted: #b0b0b0; --line: #333; --link: #8ab4f8; --code-bg: #1e1e1e;
    --ok: #1e7d3a; --ko: #c5221f; --idle: #5f6368; --off: #3c3c3c; --problem-bg: #2a1715; --grid: #3a3a3a; --none: #9a9a9a; }
}
body { margin: 0 auto; max-width: 72rem; padding: 1rem; line-height: 1.45; }
a { color: var(--link); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5rem 1.5rem; border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
header h1 { font-size: 1.4rem; margin: 0.5rem 0; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0.1rem 0.55rem; border-radius: 1rem; font-weight: 600; font-size: 0.85rem; color: #fff; }
.passing, .passed { background: var(--ok); }
.failing, .failed { background: var(--ko); }
.pending, .skipped { background: var(--idle); }
.disabled { background: var(--off); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.85rem; color: var(--muted); }
.strip { display: flex; gap: 2px; }
.strip span { width: 8px; height: 18px; border-radius: 2px; }
.strip .ok { background: var(--ok); } .strip .ko { background: var(--ko); }
.spark { display: block; margin-top: 4px; }
.spark polyline { fill: none; stroke: var(--link); stroke-width: 1.5; }
.spark circle, .fail-marks path { fill: var(--ko); }
.chart { margin: 0 0 1.5rem; max-width: 100%; }
.chart svg { width: 100%; height: auto; display: block; }
.axis line { stroke: var(--grid); stroke-width: 1; }
.axis-label { fill: var(--muted); font-size: 11px; }
.phase-dns { fill: var(--dns); background: var(--dns); } .phase-connect { fill: var(--connect); background: var(--connect); }
.phase-tls { fill: var(--tls); background: var(--tls); } .phase-ttfb { fill: var(--ttfb); background: var(--ttfb); }
.phase-transfer { fill: var(--transfer); background: var(--transfer); } .phase-none { fill: var(--none); background: var(--none); }
.fail-mark { background: var(--ko); }
.legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; font-size: 0.85rem; color: var(--muted); }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem; vertical-align: -0.1rem; border-radius: 2px; }
.incidents { padding-left: 1.25rem; }
.incident { border-left: 4px solid var(--ko); padding: 0 0.75rem; margin: 0.75rem 0; background: var(--problem-bg); }
pre { background: var(--code-bg); padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; font-size: 0.85rem; }
.problem { border-left: 4px solid var(--ko); padding: 0.25rem 0.75rem; margin: 0.5rem 0; background: var(--problem-bg); }
@media (max-width: 40rem) { th.optional, td.optional, .description { display: none; } th, td { padding: 0.4rem 0.3rem; } }
`;

export function layout(title: string, body: Html, refreshSeconds = 10): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${refreshSeconds}">
<title>${title}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header><h1><a href="/">stepwatch</a></h1><span class="muted">${title}</span><span class="muted">refreshes every ${refreshSeconds} s</span></header>
<main>
${body}
</main>
</body>
</html>
`;
}

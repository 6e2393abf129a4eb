import { Html, html } from './html.js';

/** Colours chosen for WCAG AA contrast on white (4.5:1 or better); states also carry text. */
const STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; line-height: 1.45; }
a { color: #0b57d0; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5rem 1.5rem; border-bottom: 1px solid #ddd; margin-bottom: 1rem; }
header h1 { font-size: 1.4rem; margin: 0.5rem 0; }
.muted { color: #555; }
.badge { display: inline-block; padding: 0.1rem 0.55rem; border-radius: 1rem; font-weight: 600; font-size: 0.85rem; color: #fff; }
.passing, .passed { background: #146c2e; }
.failing, .failed { background: #b3261e; }
.pending, .skipped { background: #5f6368; }
.disabled { background: #444; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { font-size: 0.85rem; color: #444; }
.strip { display: flex; gap: 2px; }
.strip span { width: 8px; height: 18px; border-radius: 2px; }
.strip .ok { background: #146c2e; } .strip .ko { background: #b3261e; }
pre { background: #f6f6f6; padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; font-size: 0.85rem; }
.problem { border-left: 4px solid #b3261e; padding: 0.25rem 0.75rem; margin: 0.5rem 0; background: #fdf3f2; }
@media (max-width: 40rem) { th.optional, td.optional { display: none; } }
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

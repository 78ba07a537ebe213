import { html, raw, type Html } from './html.js';

const style = `
  :root { --fg: #1d2733; --muted: #5b6876; --line: #dfe4ea; --bg: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --link: #0b5cad; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
  header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--bg); }
  header strong { font-size: 15px; }
  nav a { margin-right: 1rem; color: var(--link); text-decoration: none; }
  nav a.current { font-weight: 600; color: var(--fg); }
  main { padding: 1rem 1.2rem 3rem; max-width: 1400px; }
  h1 { font-size: 18px; margin: .2rem 0 1rem; }
  h2 { font-size: 15px; margin: 1.5rem 0 .5rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .status { font-weight: 600; }
  .status-ready, .status-success, .status-deployed, .status-approved, .status-active { color: var(--ok); }
  .status-failed, .status-error, .status-denied, .status-critical { color: var(--bad); }
  .status-deploying, .status-pending, .status-queued, .status-warning { color: var(--warn); }
  .muted { color: var(--muted); }
  pre { background: var(--bg); border: 1px solid var(--line); padding: .6rem; overflow: auto; max-height: 28rem; font-size: 12px; }
  form.inline { display: inline; }
  button { font: inherit; padding: .2rem .7rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
  .empty { color: var(--muted); padding: 1rem 0; }
`;

export interface NavItem {
  path: string;
  title: string;
}

export function layout(options: {
  title: string;
  nav: readonly NavItem[];
  current: string;
  body: Html;
  refreshSeconds?: number;
}): string {
  const refresh =
    options.refreshSeconds === undefined
      ? ''
      : html`<meta http-equiv="refresh" content="${options.refreshSeconds}" />`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${refresh}
        <title>${options.title} · Chartroom</title>
        <style>
          ${raw(style)}
        </style>
      </head>
      <body>
        <header>
          <strong>Chartroom</strong>
          <nav>
            ${options.nav.map((item) => html`<a href="${item.path}" class="${item.path === options.current ? 'current' : ''}">${item.title}</a>`)}
          </nav>
        </header>
        <main>${options.body}</main>
      </body>
    </html> `.value;
}

/** A status word with its colour class, e.g. `ready`, `failed`. */
export function statusBadge(status: string): Html {
  return html`<span class="status status-${status.toLowerCase().replace(/[^a-z-]/g, '')}">${status}</span>`;
}

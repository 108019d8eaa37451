/**
 * The status page's stylesheet: readable at a glance, on a phone too (no fixed widths, long
 * endpoints and messages wrap), light or dark after the system's choice. State is never shown by
 * colour alone: every badge carries its word.
 */
export const STATUS_CSS = `
:root {
  --bg: #f4f5f7; --card: #ffffff; --text: #1c2128; --muted: #5c6673; --line: #dde1e6; --code: #eef0f3;
  --down: #c62828; --down-bg: #fdecea; --warn: #a35f00; --warn-bg: #fff3dc;
  --up: #2e7d32; --up-bg: #e7f4e8; --pending: #5f6875; --pending-bg: #eceef1; --accent: #3b6fd8;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1116; --card: #171b22; --text: #e4e8ee; --muted: #9aa4b2; --line: #2a313b; --code: #212731;
    --down: #ff7b72; --down-bg: #3a1617; --warn: #f2b14c; --warn-bg: #35280f;
    --up: #6cc070; --up-bg: #14301a; --pending: #a0a8b4; --pending-bg: #262b33; --accent: #7aa2f7;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  overflow-wrap: anywhere;
}
#app, .foot { max-width: 1080px; margin: 0 auto; padding: 0 16px; }
code, .reason { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em; }
a { color: var(--accent); }

.top { padding: 18px 0 10px; border-bottom: 1px solid var(--line); margin-bottom: 16px; }
.top h1 { margin: 0 0 6px; font-size: 1.05rem; letter-spacing: .02em; color: var(--muted); font-weight: 600; }
.summary { margin: 0; font-size: 1.25rem; font-weight: 600; display: flex; flex-wrap: wrap; align-items: center; gap: 10px; }
.checked { margin: 6px 0 0; color: var(--muted); font-size: .9rem; }
.stale {
  margin: 0 0 16px; padding: 10px 14px; border-radius: 8px; font-weight: 600;
  background: var(--warn-bg); color: var(--warn); border: 1px solid var(--warn);
}
.section { font-size: 1rem; margin: 26px 0 10px; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; }
.empty { color: var(--muted); }

.badge {
  display: inline-block; min-width: 4.6em; text-align: center; padding: 2px 8px; border-radius: 6px;
  font-size: .78rem; font-weight: 700; letter-spacing: .06em; line-height: 1.6; flex: none;
}
.b-down { background: var(--down); color: var(--card); }
.b-warn { background: var(--warn); color: var(--card); }
.b-up { background: var(--up-bg); color: var(--up); border: 1px solid var(--up); }
.b-pending { background: var(--pending-bg); color: var(--pending); border: 1px solid var(--pending); }

.card {
  background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--pending);
  border-radius: 10px; padding: 14px 16px; margin: 0 0 12px;
}
.card.s-down { border-left-color: var(--down); }
.card.s-warn { border-left-color: var(--warn); }
.card.s-up { border-left-color: var(--up); }
.head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; }
.name { margin: 0; font-size: 1.1rem; font-weight: 650; }
.kind { color: var(--muted); font-size: .9rem; }
.endpoint { margin-top: 4px; color: var(--muted); }
.endpoint code { word-break: break-all; }

.problems { list-style: none; margin: 12px 0 4px; padding: 0; }
.problem { border-radius: 8px; padding: 10px 12px; margin: 0 0 8px; }
.p-critical { background: var(--down-bg); }
.p-warning { background: var(--warn-bg); }
.ptitle { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 8px; }
.sev { font-size: .72rem; font-weight: 700; text-transform: uppercase; letter-spacing: .07em; }
.p-critical .sev { color: var(--down); }
.p-warning .sev { color: var(--warn); }
.cause { font-weight: 700; }
.reason { background: var(--code); padding: 1px 6px; border-radius: 4px; }
.msg { margin: 6px 0 0; white-space: pre-wrap; }
.fix { margin: 6px 0 0; white-space: pre-wrap; }
.fixlabel {
  display: inline-block; font-size: .72rem; font-weight: 700; text-transform: uppercase; letter-spacing: .07em;
  background: var(--accent); color: var(--card); border-radius: 4px; padding: 0 6px; margin-right: 4px;
}

.facts {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px 18px; margin: 12px 0 0;
}
.fact { min-width: 0; }
.fact dt { color: var(--muted); font-size: .75rem; text-transform: uppercase; letter-spacing: .06em; }
.fact dd { margin: 1px 0 0; }
.phase { white-space: nowrap; margin-right: 6px; }
.nowrap { white-space: nowrap; }
time { border-bottom: 1px dotted var(--muted); }

meter {
  display: block; width: 100%; height: 6px; margin-top: 4px;
  -webkit-appearance: none; -moz-appearance: none; appearance: none;
  background: var(--code); border: 0; border-radius: 3px;
}
meter::-webkit-meter-bar { background: var(--code); border: 0; border-radius: 3px; height: 6px; }
meter::-webkit-meter-optimum-value, meter::-webkit-meter-suboptimum-value, meter::-webkit-meter-even-less-good-value {
  background: var(--accent); border-radius: 3px;
}
meter::-moz-meter-bar { background: var(--accent); border-radius: 3px; }

.foot { color: var(--muted); font-size: .85rem; padding-top: 8px; padding-bottom: 28px; }

@media (max-width: 520px) {
  body { font-size: 14px; }
  #app, .foot { padding: 0 10px; }
  .card { padding: 12px; }
  .summary { font-size: 1.1rem; }
  .facts { grid-template-columns: 1fr 1fr; }
}
`;

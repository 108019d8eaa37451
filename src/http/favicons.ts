import type { ViewState } from '../views/status-view.js';

const COLOURS: Readonly<Record<ViewState, string>> = {
  down: '#d32f2f',
  warn: '#ef8f00',
  up: '#2e7d32',
  pending: '#6b7280',
};

/** A dot in the page's worst state, so a browser tab shows trouble at a glance. */
export function faviconSvg(state: ViewState): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${COLOURS[state]}"/></svg>`;
}

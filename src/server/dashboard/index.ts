/** The dashboard's building blocks for capabilities' pages. */
export { html, raw, escapeHtml, age, Html } from './html.js';
export { layout, statusBadge, type NavItem } from './layout.js';

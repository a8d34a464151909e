import { Eta } from 'eta';
import { fileURLToPath } from 'node:url';

const TEMPLATES = fileURLToPath(new URL('../../../web/templates/', import.meta.url));

/**
 * The server-rendered pages: Eta templates under web/templates. `<%= %>` escapes for HTML (element content and
 * attribute values); no template uses the raw form for data.
 */
const eta = new Eta({ views: TEMPLATES, autoEscape: true, cache: true, useWith: false, varName: 'it' });

/** One page of Kasse, rendered with its data (typed by the caller's view model). */
export function renderPage<Data extends object>(name: string, data: Data): string {
  return eta.render(name, data);
}

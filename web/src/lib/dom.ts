/** Small DOM helpers shared by the pages. Data only ever reaches the page as text, never as HTML. */

/** The element with this id, of the expected kind; a missing one is a broken page, so it throws. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
}

export type Child = Node | string | number | null | undefined | false | readonly Child[];
type Prop = string | number | boolean | null | undefined | ((event: Event) => unknown);

/** Build an element. String children become text nodes; `on…` props are listeners; no prop takes HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, Prop> | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = String(value);
    else if (key === 'testid') el.dataset.testid = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  const append = (child: Child): void => {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) (child as readonly Child[]).forEach(append);
    else el.append(child instanceof Node ? child : String(child));
  };
  children.forEach(append);
  return el;
}

/** Only real places: never a javascript:, data: or vbscript: URL, whatever the merchant sent as fallBack. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, location.href);
    return /^(javascript|data|vbscript):$/i.test(parsed.protocol) ? null : parsed.href;
  } catch {
    return null;
  }
}

/**
 * A region of a portal page that follows the server: an element with an id and data-live-refresh="<seconds>" is
 * replaced, every so many seconds, by the same element of the page fetched again from its own address (with the
 * session cookie). The page is rendered once, by the server's template (escaped by construction); the fetched copy
 * is parsed inert by DOMParser and only the region's nodes are adopted, so no data ever reaches the page as an HTML
 * string and the CSP stays strict. Paused while the tab is hidden; a failed fetch or an ended session (the log-in
 * page has no such region) leaves the region as it was. Each swap sets data-refreshed and fires "live-refreshed".
 */
export function keepFresh(region: HTMLElement): void {
  const seconds = Number(region.dataset.liveRefresh);
  if (!region.id || !Number.isFinite(seconds) || seconds <= 0) return;
  let timer: number | undefined;

  async function refresh(): Promise<void> {
    try {
      const response = await fetch(window.location.href, { credentials: 'same-origin', headers: { accept: 'text/html' }, cache: 'no-store' });
      if (!response.ok || response.redirected) return;
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById(region.id);
      if (!fresh) return;
      region.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
      region.dataset.refreshed = String(Number(region.dataset.refreshed ?? '0') + 1);
      region.dispatchEvent(new CustomEvent('live-refreshed', { bubbles: true }));
    } catch {
      // Offline or the server restarting: the next round tries again.
    } finally {
      schedule();
    }
  }

  function schedule(): void {
    window.clearTimeout(timer);
    if (!document.hidden) timer = window.setTimeout(() => void refresh(), seconds * 1000);
  }

  document.addEventListener('visibilitychange', () => (document.hidden ? window.clearTimeout(timer) : void refresh()));
  schedule();
}

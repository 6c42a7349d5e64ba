/**
 * The admin page's only script (inlined with the response's CSP nonce): every 2 seconds it asks the
 * page's `/live` endpoint for the revision (ETag, so an unchanged state costs a 304), and when the
 * state changed elsewhere (the CLI, another person) it fetches the same page again and swaps in the
 * regions marked `data-live`, skipping a region the person is typing in. Without it the pages work
 * the same, they just do not update by themselves. It never inserts text as HTML: the fresh regions
 * come from the server's own escaped rendering, parsed by DOMParser (which runs no script).
 */
export const LIVE_SCRIPT = `(() => {
  const meta = document.querySelector('meta[name="flagstage-live"]');
  if (!meta) return;
  const endpoint = meta.getAttribute('content');
  let etag = '"' + meta.getAttribute('data-revision') + '"';
  const status = document.getElementById('live-status');
  document.addEventListener('input', (event) => {
    const form = event.target instanceof Element ? event.target.closest('form') : null;
    if (form) form.setAttribute('data-dirty', '');
  });
  const refresh = async (revision) => {
    const response = await fetch(location.href, { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) return false;
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const region of document.querySelectorAll('[data-live]')) {
      const active = document.activeElement;
      if (active && active !== document.body && region.contains(active)) continue;
      if (region.querySelector('form[data-dirty]')) continue;
      const replacement = fresh.getElementById(region.id);
      if (replacement) region.replaceWith(document.importNode(replacement, true));
    }
    document.documentElement.setAttribute('data-revision', revision);
    if (status) status.textContent = 'Updated to revision ' + revision + ' at ' + new Date().toLocaleTimeString() + '.';
    return true;
  };
  const tick = async () => {
    try {
      const response = await fetch(endpoint, { headers: { 'if-none-match': etag }, credentials: 'same-origin', cache: 'no-store' });
      if (response.status === 200) {
        const next = response.headers.get('etag');
        const body = await response.json();
        if (next && next !== etag && (await refresh(String(body.revision)))) etag = next;
      }
    } catch (error) {
      // Offline for a moment: try again at the next tick.
    }
    setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
})();`;

// Escaping for the HTML of emails and link pages. Everything that came from a user or an import
// (titles, names, addresses) goes through `escapeHtml`; URLs in attributes through `safeHref`.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An http(s) URL fit for an href, escaped; '#' for anything else (javascript:, data:, junk). */
export function safeHref(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? escapeHtml(parsed.toString()) : '#';
  } catch {
    return '#';
  }
}

/** A small self-contained page (the confirm and unsubscribe links' answers). */
export function page(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#222}button{font-size:1rem;padding:.5rem 1.25rem;cursor:pointer}</style>
</head><body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>
`;
}

// A small Atom 1.0 writer (RFC 4287). Hand-written rather than a dependency: the format needs a
// dozen elements, and what matters is escaping, which is all here: text and attribute values
// are escaped, and characters XML 1.0 cannot carry at all (most control characters, lone
// surrogates, U+FFFE/U+FFFF) are dropped, since one of them would make the whole feed unreadable.

export interface AtomLink {
  href: string;
  rel?: 'alternate' | 'self' | 'related' | 'enclosure' | 'via';
  type?: string;
  title?: string;
}

export interface AtomEntry {
  /** A permanent IRI: the arXiv abstract URL. */
  id: string;
  title: string;
  updated: Date;
  published?: Date;
  links: AtomLink[];
  authors: string[];
  categories: { term: string; label?: string }[];
  summary: string;
}

export interface AtomFeed {
  id: string;
  title: string;
  subtitle?: string;
  updated: Date;
  /** Where the feed is fetched from. */
  selfUrl: string;
  /** Used when an entry has no author of its own (RFC 4287 4.1.1: some author must be named). */
  author: string;
  entries: AtomEntry[];
}

// XML 1.0's Char production, minus what we could still write but readers choke on.
const NOT_XML_CHAR = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** RFC 3339 in UTC, seconds precision (what `updated` and Last-Modified can agree on). */
export function atomDate(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function link(l: AtomLink): string {
  const attrs = [`href="${xmlAttr(l.href)}"`];
  if (l.rel) attrs.unshift(`rel="${l.rel}"`);
  if (l.type) attrs.push(`type="${xmlAttr(l.type)}"`);
  if (l.title) attrs.push(`title="${xmlAttr(l.title)}"`);
  return `<link ${attrs.join(' ')}/>`;
}

function entry(e: AtomEntry): string {
  const lines = [
    '  <entry>',
    `    <id>${xmlText(e.id)}</id>`,
    `    <title type="text">${xmlText(e.title)}</title>`,
    `    <updated>${atomDate(e.updated)}</updated>`,
    ...(e.published ? [`    <published>${atomDate(e.published)}</published>`] : []),
    ...e.links.map((l) => `    ${link(l)}`),
    ...e.authors.map((name) => `    <author><name>${xmlText(name)}</name></author>`),
    ...e.categories.map((c) => `    <category term="${xmlAttr(c.term)}"${c.label ? ` label="${xmlAttr(c.label)}"` : ''}/>`),
    `    <summary type="text">${xmlText(e.summary)}</summary>`,
    '  </entry>',
  ];
  return lines.join('\n');
}

export function renderAtom(feed: AtomFeed): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xmlText(feed.id)}</id>`,
    `  <title type="text">${xmlText(feed.title)}</title>`,
    ...(feed.subtitle ? [`  <subtitle type="text">${xmlText(feed.subtitle)}</subtitle>`] : []),
    `  <updated>${atomDate(feed.updated)}</updated>`,
    `  ${link({ rel: 'self', type: 'application/atom+xml', href: feed.selfUrl })}`,
    `  <author><name>${xmlText(feed.author)}</name></author>`,
    '  <generator>paper-catalog</generator>',
    ...feed.entries.map(entry),
    '</feed>',
    '',
  ].join('\n');
}

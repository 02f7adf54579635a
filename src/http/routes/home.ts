// The address a person types first: `GET /` is a small HTML page that names the service and
// links to what there is (Sandbox, feeds, health checks, the README's sections), and
// `GET /readme` is the README itself, one anchored section per heading, its Markdown shown as
// text. Both are built once, at start, from README.md; no user input reaches them.
import { escapeHtml } from '../../platform/html.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { projectRoot } from '../../platform/paths.ts';

export interface ReadmeSection {
  /** The anchor: GitHub's rule (lower case, punctuation dropped, spaces to hyphens). */
  readonly id: string;
  readonly title: string;
  /** The section's Markdown, heading included. */
  readonly text: string;
}


export function anchorOf(title: string): string {
  return title
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

/** The README cut at its `## ` headings (outside code blocks); what comes before is the introduction. */
export function readmeSections(markdown: string): { title: string; intro: string; sections: ReadmeSection[] } {
  const lines = markdown.split('\n');
  let title = 'Paper catalog';
  const intro: string[] = [];
  const sections: { title: string; lines: string[] }[] = [];
  let fenced = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const h1 = !fenced && /^# (.+)$/.exec(line);
    const h2 = !fenced && /^## (.+)$/.exec(line);
    if (h1 && sections.length === 0 && intro.length === 0) title = h1[1]!.trim();
    else if (h2) sections.push({ title: h2[1]!.trim(), lines: [line] });
    else if (sections.length > 0) sections.at(-1)!.lines.push(line);
    else intro.push(line);
  }
  return {
    title,
    intro: intro.join('\n').trim(),
    sections: sections.map((s) => ({ id: anchorOf(s.title), title: s.title, text: s.lines.join('\n').trim() })),
  };
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
a{color:#0969da}code,pre{font:14px/1.45 ui-monospace,monospace}pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem;border-radius:6px}
h1{margin-bottom:0}.lead{color:#59636e;margin-top:.25rem}li{margin:.2rem 0}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The first paragraph of the introduction, as plain text: what the service is. */
function firstParagraph(intro: string): string {
  return (intro.split(/\n\s*\n/)[0] ?? '').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/\s+/g, ' ').trim();
}

export function homePage(readme: ReturnType<typeof readmeSections> | null): string {
  const link = (href: string, text: string, note = '') =>
    `<li><a href="${escapeHtml(href)}">${escapeHtml(text)}</a>${note ? ` — ${escapeHtml(note)}` : ''}</li>`;
  const title = readme?.title ?? 'Paper catalog';
  const sections = readme?.sections ?? [];
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p class="lead">${escapeHtml(readme ? firstParagraph(readme.intro) : 'A GraphQL API for a research-paper catalog.')}</p>
<h2>GraphQL</h2>
<ul>
${link('/graphql', 'Apollo Sandbox', 'explore the schema and run queries (the GraphQL endpoint: POST /graphql; Sandbox and introspection are off in production)')}
</ul>
<h2>Feeds</h2>
<ul>
${link('/feeds/daily.atom', 'Daily papers', 'the latest featured day; ?date=YYYY-MM-DD for another')}
${link('/feeds/trending.atom?window=WEEK', 'Trending this week', 'window=DAY, WEEK or MONTH')}
${link('/feeds/search.atom?q=diffusion', 'A search', '?q= takes the same syntax as papers(query:)')}
${link('/feeds/most-cited.atom', 'Most cited this month', 'by catalog papers of the month; ?month=YYYY-MM for another')}
<li>A topic: <code>/feeds/topics/&lt;slug&gt;.atom</code>; an author: <code>/feeds/authors/&lt;author id&gt;.atom</code></li>
</ul>
<h2>Health</h2>
<ul>
${link('/healthz', '/healthz', '200 while the process runs')}
${link('/readyz', '/readyz', '200 when the database answers')}
</ul>
${
  sections.length
    ? `<h2>Documentation</h2>
<p>The README, section by section:</p>
<ul>
${sections.map((s) => link(`/readme#${s.id}`, s.title)).join('\n')}
</ul>`
    : ''
}
`,
  );
}

export function readmePage(readme: ReturnType<typeof readmeSections>): string {
  return page(
    `${readme.title}: README`,
    `<p><a href="/">← ${escapeHtml(readme.title)}</a></p>
<h1>${escapeHtml(readme.title)}</h1>
<pre>${escapeHtml(readme.intro)}</pre>
${readme.sections.map((s) => `<section id="${escapeHtml(s.id)}">\n<h2><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></h2>\n<pre>${escapeHtml(s.text.replace(/^## .*\n?/, '').trim())}</pre>\n</section>`).join('\n')}
`,
  );
}

/** Only what the pages need: inline styles, nothing else loads. */
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'public, max-age=300',
};

export interface HomeRouteOptions {
  /** Default: README.md at the project root; absent or unreadable: the page without its sections. */
  readmePath?: string;
}

export const homeRoutes: FastifyPluginAsync<HomeRouteOptions> = async (app, options) => {
  let readme: ReturnType<typeof readmeSections> | null = null;
  try {
    readme = readmeSections(fs.readFileSync(options.readmePath ?? path.join(projectRoot, 'README.md'), 'utf8'));
  } catch {
    readme = null;
  }
  const home = homePage(readme);
  const readmeHtml = readme && readmePage(readme);
  const config = { rateLimit: { cost: 1 } } as const;
  app.get('/', { config }, async (_request, reply) => reply.headers(HEADERS).send(home));
  if (readmeHtml) app.get('/readme', { config }, async (_request, reply) => reply.headers(HEADERS).send(readmeHtml));
};

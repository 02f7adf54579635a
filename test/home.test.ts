// GET /: a small page for people, naming the service and linking to the Sandbox, the feeds,
// the health checks and the README's sections (/readme), every link of which works.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/platform/paths.ts';
import { anchorOf, readmeSections } from '../src/http/routes/home.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { smallCatalog } from './helpers/scenarios.ts';

const run = setupTestRunner({ scenario: smallCatalog, http: true, reset: 'once' });

const hrefsOf = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&'));

test('GET / is an HTML page naming the service, with links to Sandbox, feeds, health checks and the README sections', async () => {
  const response = await fetch(`${run.http.url}/`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  const html = await response.text();
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain('<title>Paper catalog</title>');
  expect(html).toContain('<h1>Paper catalog</h1>');
  const hrefs = hrefsOf(html);
  expect(hrefs).toEqual(
    expect.arrayContaining(['/graphql', '/feeds/daily.atom', '/feeds/trending.atom?window=WEEK', '/healthz', '/readyz', '/readme#start', '/readme#example-queries', '/readme#scripts']),
  );
  // One link per README section, in the README's order.
  const sections = readmeSections(fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8')).sections;
  expect(sections.length).toBeGreaterThan(5);
  expect(hrefs.filter((h) => h.startsWith('/readme#'))).toEqual(sections.map((s) => `/readme#${s.id}`));
});

test('every link on the page answers 200, and every README anchor exists on /readme', async () => {
  const html = await (await fetch(`${run.http.url}/`)).text();
  const readme = await (await fetch(`${run.http.url}/readme`)).text();
  for (const href of new Set(hrefsOf(html).map((h) => h.split('#')[0]!))) {
    // A browser asks for HTML: /graphql then answers with the Sandbox landing page.
    const response = await fetch(`${run.http.url}${href}`, { headers: { accept: 'text/html' } });
    expect([href, response.status]).toEqual([href, 200]);
  }
  for (const anchor of hrefsOf(html).filter((h) => h.includes('#')).map((h) => h.split('#')[1]!)) {
    expect(readme).toContain(`<section id="${anchor}">`);
  }
  expect((await fetch(`${run.http.url}/graphql`, { headers: { accept: 'text/html' } }).then((r) => r.text()))).toMatch(/sandbox/i);
});

test('/readme shows the README as text, escaped, one section per heading', async () => {
  const response = await fetch(`${run.http.url}/readme`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const html = await response.text();
  // The Markdown's `<token>` placeholders stay text, never markup.
  // One escaping for every HTML page (src/platform/html.ts): numeric character references.
  expect(html).toContain('Authorization: Bearer &#60;token&#62;');
  expect(html).not.toContain('Bearer <token>');
  expect(html).toContain('<section id="environment-variables">');
});

test('the README is cut at its ## headings only outside code blocks; anchors follow GitHub', () => {
  const parsed = readmeSections('# Name\n\nWhat it is.\n\n## Start\n\n```sh\n## not a heading\n```\n\n## Running elsewhere (Docker, K8s)\ntext\n');
  expect(parsed.title).toBe('Name');
  expect(parsed.intro).toBe('What it is.');
  expect(parsed.sections.map((s) => [s.id, s.title])).toEqual([
    ['start', 'Start'],
    ['running-elsewhere-docker-k8s', 'Running elsewhere (Docker, K8s)'],
  ]);
  expect(parsed.sections[0]!.text).toContain('## not a heading');
  expect(anchorOf('Migrations without Prisma’s native engine')).toBe('migrations-without-prismas-native-engine');
});

test('other unknown paths still answer 404 with a JSON error', async () => {
  const response = await fetch(`${run.http.url}/nothing-here`);
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
});

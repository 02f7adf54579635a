// One topic slug rule (src/catalog/topics/slug.ts) for import, createTopic, the demo and the feeds: every
// topic the importer creates from the real data has a feed that answers 200 with Atom.
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { importFiles } from '../src/catalog/import/importer.ts';
import { MAX_SLUG_LENGTH, isTopicSlug, topicFeedPath, topicSlug } from '../src/catalog/topics/slug.ts';
import { MAX_TOPICS, planCatalog } from '../src/catalog/demo/plan.ts';
import { atomDir, dataDir, describeWithRealData, haveRealData, hfDir } from './helpers/real-data.ts';
import { setupTestRunner } from './helpers/runner.ts';

describe('the rule', () => {
  test.each([
    ['LLM', 'llm'],
    ['L.L.M.', 'llm'],
    [' Reinforcement  Learning ', 'reinforcement-learning'],
    ['reinforcement_learning', 'reinforcement-learning'],
    ['Café Lumière', 'cafe-lumiere'],
    ['GPT-4.5', 'gpt-4-5'],
    ['Hint-δ', 'hint-δ'],
    ['cs.CV', 'cs-cv'],
    ['ＬＬＭ', 'llm'], // full-width letters fold (NFKD)
    ['x²', 'x2'],
    ['深度学习', '深度学习'],
    ['Нейронные сети', 'нейронные-сети'],
    ['й', 'й'], // a Cyrillic letter with its mark is one letter, not "и"
    ['ガイド', 'ガイド'], // Japanese voiced marks stay (NFC: one code point each)
    ['हिन्दी', 'हिन्दी'], // Devanagari vowel signs and virama stay
    ['한국어 모델', '한국어-모델'], // Hangul comes back together after NFKD
    ['İstanbul', 'istanbul'],
    ['!!!', ''],
    ['', ''],
  ])('%j -> %j', (key, slug) => {
    expect(topicSlug(key)).toBe(slug);
    expect(topicSlug(slug)).toBe(slug);
  });

  test(`at most ${MAX_SLUG_LENGTH} code points, never ending in a dash`, () => {
    const slug = topicSlug(`${'word '.repeat(40)}δδδ`);
    expect(Array.from(slug).length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(slug).toMatch(/^[a-z-]*[a-z]$/);
    expect(topicSlug('δ'.repeat(200))).toBe('δ'.repeat(MAX_SLUG_LENGTH));
  });

  test('isTopicSlug accepts exactly what topicSlug returns', () => {
    for (const good of ['llm', 'hint-δ', '深度学习', 'gpt-4-5']) expect(isTopicSlug(good)).toBe(true);
    for (const bad of ['', 'LLM', '-llm', 'llm-', 'a--b', 'a b', 'café', 'a/b', 'a.b', 'x'.repeat(81)]) expect(isTopicSlug(bad)).toBe(false);
  });

  test('the feed path percent-encodes the slug as UTF-8', () => {
    expect(topicFeedPath('hint-δ')).toBe('/feeds/topics/hint-%CE%B4.atom');
    expect(topicFeedPath('llm')).toBe('/feeds/topics/llm.atom');
  });

  test('the demo catalog makes its topic slugs with the same rule', () => {
    const plan = planCatalog({ papers: 50, seed: 7, now: Date.UTC(2026, 10, 30), days: 10, authors: 50, users: 5, votes: 20, topics: MAX_TOPICS, takenArxivIds: new Set() });
    expect(plan.topics.length).toBeGreaterThan(0);
    for (const topic of plan.topics) expect(topic.slug).toBe(topicSlug(topic.name));
  });
});

describeWithRealData('topic feeds of the real data')('every topic the importer creates from the real data', () => {
  const run = setupTestRunner({ http: { rateLimiter: null }, reset: 'once', scenario: (db) => importFiles(db, [dataDir]) });

  /** Keywords and categories as the raw files hold them, slugged here. */
  function slugsInFiles(): Set<string> {
    const slugs = new Set<string>();
    for (const file of fs.readdirSync(hfDir).filter((f) => f.endsWith('.json'))) {
      for (const entry of JSON.parse(fs.readFileSync(path.join(hfDir, file), 'utf8')) as { paper: { ai_keywords?: string[] } }[]) {
        for (const keyword of entry.paper.ai_keywords ?? []) if (topicSlug(keyword)) slugs.add(topicSlug(keyword));
      }
    }
    for (const file of fs.readdirSync(atomDir).filter((f) => f.endsWith('.xml'))) {
      for (const [, term] of fs.readFileSync(path.join(atomDir, file), 'utf8').matchAll(/<category term="([^"]+)"/g)) slugs.add(topicSlug(term!));
    }
    return slugs;
  }

  test('is exactly one slug per keyword or category, each its own slug', async () => {
    expect(run.scenario.ok).toBe(true);
    const topics = await run.db.topic.findMany({ select: { slug: true } });
    expect(new Set(topics.map((t) => t.slug))).toEqual(slugsInFiles());
    for (const { slug } of topics) expect(isTopicSlug(slug)).toBe(true);
    // The data holds non-Latin letters: the case that once had no feed.
    expect(topics.some(({ slug }) => /[^\x00-\x7f]/.test(slug))).toBe(true);
  });

  test('and each has a feed: HTTP 200, Atom, listing papers of that topic', async () => {
    const topics = await run.db.topic.findMany({ select: { slug: true, name: true }, orderBy: { id: 'asc' } });
    expect(topics.length).toBeGreaterThan(100);
    const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['entry', 'category'].includes(name) });
    const failures: string[] = [];
    let next = 0;
    // A few requests at a time, over real HTTP: the route, its decoding and the feed together.
    const worker = async () => {
      while (next < topics.length) {
        const topic = topics[next++]!;
        const response = await fetch(`${run.http.url}${topicFeedPath(topic.slug)}`);
        const body = await response.text();
        if (response.status !== 200 || !response.headers.get('content-type')?.startsWith('application/atom+xml')) {
          failures.push(`${topic.slug}: ${response.status} ${body.slice(0, 80)}`);
          continue;
        }
        const feed = parser.parse(body).feed;
        const entries: { category: { '@_term': string }[] }[] = feed?.entry ?? [];
        const title = typeof feed?.title === 'object' ? feed.title['#text'] : feed?.title;
        if (title !== `Papers in ${topic.name}` || entries.length === 0 || !entries.every((e) => e.category.some((c) => c['@_term'] === topic.slug))) {
          failures.push(`${topic.slug}: not its feed (${entries.length} entries, title ${JSON.stringify(title)})`);
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(failures).toEqual([]);
  }, 300_000);

  test('a slug that topicSlug would not make is 404; a malformed escape is refused too', async () => {
    const nonLatin = (await run.db.topic.findMany({ select: { slug: true } })).find(({ slug }) => /[^\x00-\x7f]/.test(slug))!.slug;
    expect((await fetch(`${run.http.url}${topicFeedPath(nonLatin)}`)).status).toBe(200);
    for (const path of [topicFeedPath(nonLatin.toUpperCase()), '/feeds/topics/llm%2F.atom', '/feeds/topics/-llm.atom', '/feeds/topics/hint-%CE%B4%20.atom']) {
      expect((await fetch(`${run.http.url}${path}`)).status).toBe(404);
    }
    // Fastify refuses a path that does not decode (400) before any route sees it.
    expect((await fetch(`${run.http.url}/feeds/topics/%E0%A4.atom`)).status).toBe(400);
  });
});

if (!haveRealData) test.todo('topic feeds of the real data (needs ../shared/data)');

// The importer on the real data in ../shared/data (Hugging Face daily-papers responses of
// every era, arXiv Atom responses), against real Postgres: counts and facts computed here from
// the raw files, idempotence, newer snapshots, damaged copies, format detection, the live-API
// paths against a local HTTP server, and our own votes left alone.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { normalizeAuthorName } from '../src/catalog/authors/normalize.ts';
import { projectRoot } from '../src/platform/paths.ts';
import { main, parseCli, USAGE } from '../src/cli/import.ts';
import { importArxivQuery, importHfDays, isoWeekDays, monthDays } from '../src/catalog/import/fetchers.ts';
import { importArxivAtom, importFiles, importHfDailyPapers } from '../src/catalog/import/importer.ts';
import { normalizeGithubRepo, topicSlug } from '../src/catalog/import/normalize.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { atomDir, describeWithRealData, haveRealData, hfDir } from './helpers/real-data.ts';

const haveData = haveRealData;
const hfFile = (day: string) => path.join(hfDir, `${day}.json`);
const CURRENT_ATOM = path.join(atomDir, 'query-current-affiliations.xml');
const LEGACY_ATOM = path.join(atomDir, 'query-legacy-doi.xml');

const maybe = describeWithRealData('the import tests on real data');

// ---------------------------------------------------------------------------------------------
// Expectations computed from the raw files with plain JSON parsing and a regex over the XML.

type HfEntry = { paper: Record<string, any> } & Record<string, any>;
const readHf = (file: string): HfEntry[] => JSON.parse(fs.readFileSync(file, 'utf8'));
const hfFiles = haveData ? fs.readdirSync(hfDir).filter((f) => f.endsWith('.json')).sort() : [];

function expectedCounts() {
  const papers = new Set<string>();
  const authors = new Set<string>();
  const topics = new Set<string>();
  for (const file of hfFiles) {
    for (const entry of readHf(path.join(hfDir, file))) {
      papers.add(entry.paper.id);
      for (const author of entry.paper.authors) authors.add(normalizeAuthorName(author.name));
      for (const keyword of entry.paper.ai_keywords ?? []) if (topicSlug(keyword)) topics.add(topicSlug(keyword));
    }
  }
  for (const file of [CURRENT_ATOM, LEGACY_ATOM]) {
    const xml = fs.readFileSync(file, 'utf8');
    for (const [, id] of xml.matchAll(/<entry>\s*<id>http:\/\/arxiv\.org\/abs\/([^<]+?)v\d+<\/id>/g)) papers.add(id!);
    for (const [, name] of xml.matchAll(/<author>\s*<name>([^<]+)<\/name>/g)) authors.add(normalizeAuthorName(name!));
    for (const [, term] of xml.matchAll(/<category term="([^"]+)"/g)) topics.add(topicSlug(term!));
  }
  return { papers: papers.size, authors: authors.size, topics: topics.size };
}

// ---------------------------------------------------------------------------------------------

const run = setupTestRunner({ server: false, reset: 'manual' });
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'import-test-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
/** Empty tables before each test of a group (the read-only facts share one import instead). */
const startEmpty = () => beforeEach(() => run.t.reset());

const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
const rowCounts = async () => ({
  papers: await run.t.db.paper.count(),
  authors: await run.t.db.author.count(),
  topics: await run.t.db.topic.count(),
  bylines: await run.t.db.paperAuthor.count(),
  links: await run.t.db.paperTopic.count(),
});
const byline = async (arxivId: string) =>
  (
    await run.t.db.paperAuthor.findMany({
      where: { paper: { arxivId } },
      orderBy: { position: 'asc' },
      select: { position: true, hidden: true, affiliation: true, author: { select: { name: true } } },
    })
  ).map((row) => ({ position: row.position, name: row.author.name, hidden: row.hidden, affiliation: row.affiliation }));
const topicsOf = async (arxivId: string) =>
  (await run.t.db.paperTopic.findMany({ where: { paper: { arxivId } }, select: { topic: { select: { slug: true, name: true } } } }))
    .map((row) => row.topic)
    .sort((a, b) => (a.slug < b.slug ? -1 : 1));
const paper = (arxivId: string) => run.t.db.paper.findUniqueOrThrow({ where: { arxivId } });
const copy = (from: string, name: string, edit?: (text: string) => string) => {
  const to = path.join(tmp, name);
  const text = fs.readFileSync(from, 'utf8');
  fs.writeFileSync(to, edit ? edit(text) : text);
  return to;
};
const copyHf = (from: string, name: string, edit: (entries: HfEntry[]) => void) =>
  copy(from, name, (text) => {
    const entries = JSON.parse(text) as HfEntry[];
    edit(entries);
    return JSON.stringify(entries, null, 2);
  });
const importEverything = () => importFiles(run.t.db, [hfDir, atomDir]);

maybe('importing the real data set', () => {
  startEmpty();
  test('every file of every era imports, with the counts computed from the raw files', async () => {
    const expected = expectedCounts();
    expect(expected).toEqual({ papers: 581, authors: 5010, topics: 2452 });

    const summary = await importEverything();
    expect(summary.rejected).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(summary.sources.map((s) => s.status)).toEqual(Array(27).fill('imported'));
    expect(summary).toMatchObject({
      entries: 577 + 4,
      papersCreated: expected.papers,
      papersUpdated: 0,
      papersUnchanged: 0,
      authorsCreated: expected.authors,
      topicsCreated: expected.topics,
      featuredOnUnknown: 0,
    });
    const counts = await rowCounts();
    expect(counts).toMatchObject({ papers: 581, authors: 5010, topics: 2452, bylines: 6178 + 13 });
    // Every day's papers are listed on that day (the file's date, or submittedOnDailyAt which equals it).
    for (const file of hfFiles) {
      const ids = readHf(path.join(hfDir, file)).map((e) => e.paper.id);
      const featured = await run.t.db.paper.findMany({ where: { arxivId: { in: ids } }, select: { featuredOn: true } });
      expect(new Set(featured.map((p) => p.featuredOn?.toISOString().slice(0, 10)))).toEqual(new Set([file.slice(0, 10)]));
    }
    // Null where the source did not say, never "" or 0 in its place.
    const blanks = await run.t.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "Paper" WHERE "githubRepo" = '' OR "projectPage" = '' OR "organization" = ''
        OR "aiSummary" = '' OR "hfSubmitterHandle" = '' OR "doi" = '' OR "journalRef" = '' OR "arxivComment" = ''`;
    expect(Number(blanks[0]!.n)).toBe(0);
  });

  test('importing everything again changes nothing: all unchanged, same rows, updatedAt untouched', async () => {
    await importEverything();
    const before = await rowCounts();
    const stamps = await run.t.db.paper.findMany({ select: { arxivId: true, updatedAt: true }, orderBy: { id: 'asc' } });
    run.t.queries.length = 0;

    const again = await importEverything();
    expect(again).toMatchObject({ ok: true, papersCreated: 0, papersUpdated: 0, papersUnchanged: 581, authorsCreated: 0, topicsCreated: 0 });
    expect(run.t.queries.filter((sql) => /^\s*(UPDATE|DELETE|INSERT)/i.test(sql))).toEqual([]);
    expect(await rowCounts()).toEqual(before);
    expect(await run.t.db.paper.findMany({ select: { arxivId: true, updatedAt: true }, orderBy: { id: 'asc' } })).toEqual(stamps);
  });
});

maybe('facts of the imported data set', () => {
  // Read-only tests: one import of everything serves them all.
  beforeAll(async () => {
    await run.t.reset();
    expect((await importEverything()).ok).toBe(true);
  });

  test('the oldest era (2024-05-27): dates, byline, HF counts, and null for what that day lacks', async () => {
    const p = await paper('2405.15738');
    expect(p).toMatchObject({
      title: 'ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models',
      publishedAt: new Date('2024-05-24T17:34:15.000Z'), // arXiv date, not the featured day
      featuredOn: day('2024-05-27'), // the file's date: the entry states no featured day
      hfUpvotes: 32,
      hfComments: 3,
      upvoteCount: 0,
      submittedById: null,
      // lacking that day:
      githubRepo: null,
      githubStars: null,
      projectPage: null,
      hfSubmitterHandle: null,
      organization: null,
      aiSummary: null,
      aiKeywords: null,
      arxivUpdatedAt: null,
      primaryCategory: null,
    });
    expect((await byline('2405.15738')).map((a) => a.name)).toEqual([
      'Chunjiang Ge', 'Sijie Cheng', 'Ziming Wang', 'Jiale Yuan', 'Yuan Gao', 'Jun Song', 'Shiji Song', 'Gao Huang', 'Bo Zheng',
    ]);
    expect(await topicsOf('2405.15738')).toEqual([]);
  });

  test('later eras: keywords as topics, GitHub repos normalised, submitter, organization, hidden authors', async () => {
    // 2025-03-11: ai_keywords and githubRepo appear, no submittedBy that day.
    const keywords = readHf(hfFile('2025-03-11'))[0]!.paper.ai_keywords as string[];
    const first = await paper('2503.03601');
    expect(first).toMatchObject({ featuredOn: day('2025-03-11'), aiKeywords: keywords, hfSubmitterHandle: null, githubStars: null });
    expect((await topicsOf('2503.03601')).map((x) => x.slug)).toEqual(keywords.map(topicSlug).sort());
    expect(await topicsOf('2503.03601')).toContainEqual({ slug: 'llm-based-interpretation', name: 'LLM-based interpretation' });

    // 2025-05-30: a link into a subfolder of a repository becomes the repository.
    expect(readHf(hfFile('2025-05-30'))[15]!.paper.githubRepo).toBe('https://github.com/microsoft/LMOps/tree/main/opo');
    expect((await paper('2505.23585')).githubRepo).toBe('https://github.com/microsoft/LMOps');

    // 2025-07-22: submittedOnDailyAt, ai_summary, githubStars.
    expect(await paper('2507.15846')).toMatchObject({
      featuredOn: day('2025-07-22'),
      githubRepo: 'https://github.com/ZJU-REAL/GUI-G2',
      githubStars: 18,
      hfUpvotes: 28,
      hfSubmitterHandle: 'tricktreat',
      aiSummary: null,
    });
    expect((await paper('2507.14683')).aiSummary).toEqual(expect.any(String));

    // 2026-07: organization, a hidden author kept and marked, no ai_keywords/ai_summary at all.
    expect(await paper('2607.18227')).toMatchObject({
      organization: 'ByteDance Seed',
      hfSubmitterHandle: 'hyc2026',
      featuredOn: day('2026-07-21'),
      aiSummary: null,
      aiKeywords: null,
    });
    expect((await byline('2607.18227')).slice(0, 2)).toEqual([
      { position: 0, name: 'Dingyun Zhang', hidden: true, affiliation: null },
      { position: 1, name: 'Lixue Gong', hidden: false, affiliation: null },
    ]);
    expect(await run.t.db.paperAuthor.count({ where: { hidden: true } })).toBe(1);
  });

  test('arXiv Atom: versions collapse, dates, categories as named topics, DOI, journal, comment, affiliations', async () => {
    expect(await paper('2012.11345')).toMatchObject({
      title: 'Analysis of Safe Ultrawideband Human-Robot Communication in Automated Collaborative Warehouse',
      publishedAt: new Date('2020-12-21T13:55:21Z'),
      arxivUpdatedAt: new Date('2020-12-21T13:55:21Z'),
      featuredOn: null,
      primaryCategory: 'cs.RO',
      doi: '10.23919/eucap48036.2020.9135568',
      journalRef: null,
      arxivComment: '2020 14th European Conference on Antennas and Propagation (EuCAP). arXiv admin note: text overlap with arXiv:2001.03160',
      hfUpvotes: null,
    });
    expect(await topicsOf('2012.11345')).toEqual([
      { slug: 'cs-ro', name: 'Robotics (cs.RO)' },
      { slug: 'eess-sy', name: 'Systems and Control (eess.SY)' },
    ]);
    expect(await byline('2012.11345')).toContainEqual({ position: 1, name: 'Zvonimir Šipuš', hidden: false, affiliation: null });
    expect((await byline('2012.12142'))[0]).toEqual({
      position: 0,
      name: 'Kapil D. Katyal',
      hidden: false,
      affiliation: 'Johns Hopkins University Applied Physics Lab; Dept. of Comp. Sci., Johns Hopkins University',
    });
    const legacy = await paper('1601.00001');
    expect(legacy).toMatchObject({
      title: 'Inelastic effects in molecular transport junctions: The probe technique at high bias',
      doi: '10.1063/1.4944470',
      journalRef: 'J. Chem. Phys. 144, 124107 (2016)',
      arxivComment: null,
      primaryCategory: 'cond-mat.mes-hall',
    });
    expect(legacy.abstract).toMatch(/^We extend the Landauer-B\\"uttiker probe formalism for conductances to the high bias regime, and study/);
    expect(await topicsOf('1601.00001')).toEqual([{ slug: 'cond-mat-mes-hall', name: 'Mesoscale and Nanoscale Physics (cond-mat.mes-hall)' }]);
  });
});

maybe('newer snapshots', () => {
  startEmpty();
  test('update changed fields without duplicating papers, authors or topics; a missing field erases nothing', async () => {
    const original = hfFile('2025-07-22');
    await importFiles(run.t.db, [original]);
    const before = await rowCounts();
    const stamps = new Map((await run.t.db.paper.findMany({ select: { arxivId: true, updatedAt: true } })).map((p) => [p.arxivId, p.updatedAt]));
    const summaryBefore = (await paper('2507.14683')).aiSummary;

    const newer = copyHf(original, '2025-07-22.json', (entries) => {
      delete entries[0]!.paper.ai_summary; // a later snapshot lacking a field
      entries[1]!.paper.title = 'GUI-G²: Gaussian Reward Modeling for GUI Grounding (revised)';
      entries[1]!.paper.githubStars = 118;
      entries[1]!.paper.upvotes = 78;
      entries[1]!.numComments = 9;
      entries[2]!.paper.authors.push({ _id: 'x', name: 'Zed Newcomer', hidden: false });
    });
    const summary = await importFiles(run.t.db, [newer]);
    expect(summary).toMatchObject({ ok: true, papersCreated: 0, papersUpdated: 2, papersUnchanged: 14, authorsCreated: 1, topicsCreated: 0 });
    expect(await rowCounts()).toEqual({ ...before, authors: before.authors + 1, bylines: before.bylines + 1 });
    expect(await paper('2507.15846')).toMatchObject({
      title: 'GUI-G²: Gaussian Reward Modeling for GUI Grounding (revised)',
      githubStars: 118,
      hfUpvotes: 78,
      hfComments: 9,
      upvoteCount: 0,
    });
    expect((await byline('2507.14843')).map((a) => a.name).slice(-2)).toEqual([expect.any(String), 'Zed Newcomer']);
    const kept = await paper('2507.14683');
    expect(kept.aiSummary).toBe(summaryBefore);
    expect(kept.aiSummary).not.toBeNull();
    expect(kept.updatedAt).toEqual(stamps.get('2507.14683'));
    expect((await paper('2507.15846')).updatedAt.getTime()).toBeGreaterThan(stamps.get('2507.15846')!.getTime());
  });

  test('a paper featured on several days keeps the earliest day, whatever the import order', async () => {
    const oldest = hfFile('2024-05-27');
    const later = copyHf(oldest, '2024-06-30.json', (entries) => entries.splice(1));
    const earlier = copyHf(oldest, '2024-05-01.json', (entries) => entries.splice(1));
    await importFiles(run.t.db, [oldest]);
    expect((await paper('2405.15738')).featuredOn).toEqual(day('2024-05-27'));
    expect(await importFiles(run.t.db, [later])).toMatchObject({ papersUnchanged: 1 });
    expect((await paper('2405.15738')).featuredOn).toEqual(day('2024-05-27'));
    expect(await importFiles(run.t.db, [earlier])).toMatchObject({ papersUpdated: 1 });
    expect((await paper('2405.15738')).featuredOn).toEqual(day('2024-05-01'));
  });

  test('an arXiv import after a Hugging Face one adds categories and affiliations, keeps HF fields and hidden marks', async () => {
    const hf = copyHf(hfFile('2026-07-21'), '2026-07-21.json', () => {});
    await importFiles(run.t.db, [hf]);
    const entry = readHf(hf).find((e) => e.paper.id === '2607.18227')!;
    const names = entry.paper.authors.map((a: { name: string }) => a.name);
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <entry><id>http://arxiv.org/abs/2607.18227v2</id><title>Revised  title
        on arXiv</title><summary>New abstract.</summary><published>2026-07-20T00:00:00Z</published><updated>2026-08-01T10:00:00Z</updated>
        ${names.map((n: string, i: number) => `<author><name>${n}</name>${i === 1 ? '<arxiv:affiliation>ByteDance</arxiv:affiliation>' : ''}</author>`).join('')}
        <arxiv:primary_category term="cs.CV"/><category term="cs.CV"/></entry></feed>`;
    expect(await importArxivAtom(run.t.db, atom, { source: 'inline' })).toMatchObject({ ok: true, papersUpdated: 1 });
    expect(await paper('2607.18227')).toMatchObject({
      title: 'Revised title on arXiv',
      abstract: 'New abstract.',
      arxivUpdatedAt: new Date('2026-08-01T10:00:00Z'),
      primaryCategory: 'cs.CV',
      organization: 'ByteDance Seed',
      hfSubmitterHandle: 'hyc2026',
      featuredOn: day('2026-07-21'),
    });
    expect((await byline('2607.18227')).slice(0, 2)).toEqual([
      { position: 0, name: 'Dingyun Zhang', hidden: true, affiliation: null },
      { position: 1, name: 'Lixue Gong', hidden: false, affiliation: 'ByteDance' },
    ]);
    expect(await topicsOf('2607.18227')).toEqual([{ slug: 'cs-cv', name: 'Computer Vision (cs.CV)' }]);
  });
});

maybe('damaged inputs', () => {
  startEmpty();
  test('each is rejected naming file, entry and field, nothing of it stays, and the other files still import', async () => {
    const good = hfFile('2024-05-27');
    const badJson = copy(hfFile('2024-06-13'), 'bad-json.json', (text) => text.replace('"numComments": ', '"numComments" '));
    const truncatedJson = copy(hfFile('2024-08-02'), '2024-08-02.json', (text) => text.slice(0, Math.floor(text.length / 2)));
    const truncatedXml = copy(CURRENT_ATOM, 'truncated.xml', (text) => text.slice(0, Math.floor(text.length * 0.6)));
    const missingId = copyHf(hfFile('2025-01-13'), '2025-01-13.json', (entries) => delete entries[2]!.paper.id);
    const wrongType = copyHf(hfFile('2025-03-17'), '2025-03-17.json', (entries) => (entries[4]!.paper.title = 42));
    const atomNoId = copy(LEGACY_ATOM, 'no-id.xml', (text) => text.replace('<id>http://arxiv.org/abs/1601.00001v1</id>', ''));
    const wrongId = readHf(hfFile('2025-03-17'))[4]!.paper.id;

    const summary = await importFiles(run.t.db, [badJson, good, truncatedJson, truncatedXml, missingId, wrongType, atomNoId]);
    expect(summary.ok).toBe(false);
    expect(summary.sources.map((s) => s.status)).toEqual(['rejected', 'imported', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    const reasons = summary.rejected.map((s) => s.reason);
    expect(reasons).toEqual([
      `${badJson}: invalid JSON after 0 complete entries (the input is malformed or truncated): Parser cannot parse input: expected ':'`,
      expect.stringMatching(new RegExp(`^${truncatedJson}: invalid JSON after \\d+ complete entries \\(the input is malformed or truncated\\): `)),
      `${truncatedXml}: invalid XML after 1 complete entry (the document is malformed or truncated): line 43, column 629: unclosed tag: summary`,
      `${missingId}: entry 2 (id unknown), field paper.id: missing`,
      `${wrongType}: entry 4 (${wrongId}), field paper.title: expected a string, got number 42`,
      `${atomNoId}: entry 0 (id unknown), field id: missing`,
    ]);
    expect(summary.rejected[4]!.problems).toEqual([{ entry: 4, id: wrongId, field: 'paper.title', message: 'expected a string, got number 42' }]);

    // Only the good file's papers are in the database: not even the valid entries of the others.
    const ids = readHf(good).map((e) => e.paper.id).sort();
    expect((await run.t.db.paper.findMany({ select: { arxivId: true } })).map((p) => p.arxivId).sort()).toEqual(ids);
    expect(await run.t.db.author.count()).toBe(new Set(readHf(good).flatMap((e) => e.paper.authors.map((a: { name: string }) => normalizeAuthorName(a.name)))).size);
  });

  test('a problem in every entry is listed up to ten, the rest counted', async () => {
    const file = copyHf(hfFile('2025-05-30'), '2025-05-30.json', (entries) => entries.forEach((e) => (e.paper.upvotes = '12')));
    const [result] = (await importFiles(run.t.db, [file])).rejected;
    expect(result!.problems).toHaveLength(10);
    expect(result!.reason).toMatch(/field paper\.upvotes: expected a whole number from 0 to 2147483647, got string "12";.*and 32 more problems$/);
    expect(await run.t.db.paper.count()).toBe(0);
  });

  test('the CLI exits 1 when a file is rejected and prints the summary', async () => {
    const bad = copyHf(hfFile('2025-01-13'), '2025-01-13.json', (entries) => delete entries[2]!.paper.id);
    const exec = promisify(execFile);
    const result = await exec(path.join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli/import.ts', hfFile('2024-05-27'), bad], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: run.t.url, NODE_OPTIONS: '' },
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Import summary: 1 input imported, 1 rejected');
    expect(result.stdout).toContain(`rejected: ${bad}: entry 2 (id unknown), field paper.id: missing`);
    expect(result.stderr).toContain('REJECTED');
    expect(await run.t.db.paper.count()).toBe(13);
  });
});

maybe('format detection by content', () => {
  startEmpty();
  test('an Atom feed named .json and a daily-papers array named .xml import by what they are', async () => {
    const atomAsJson = copy(LEGACY_ATOM, 'feed.json');
    const hfAsXml = copy(hfFile('2025-01-13'), '2025-01-13.xml');
    const summary = await importFiles(run.t.db, [atomAsJson, hfAsXml]);
    expect(summary.sources.map((s) => [s.format, s.status, s.papersCreated])).toEqual([
      ['arxiv-atom', 'imported', 1],
      ['hf-daily-papers', 'imported', 5],
    ]);
    expect((await paper('1601.00001')).doi).toBe('10.1063/1.4944470');
  });

  test('a file of neither format is rejected when named, skipped inside a folder; a JSON object is rejected', async () => {
    const folder = path.join(tmp, 'folder');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'just some notes');
    copy(hfFile('2025-01-13'), 'folder/2025-01-13.json');
    const object = path.join(tmp, 'object.json');
    fs.writeFileSync(object, '{"error":"Invalid date"}');
    const summary = await importFiles(run.t.db, [folder, path.join(folder, 'notes.txt'), object]);
    expect(summary.sources.map((s) => s.status)).toEqual(['imported', 'skipped', 'rejected', 'rejected']);
    expect(summary.rejected.map((s) => s.reason)).toEqual([
      `${path.join(folder, 'notes.txt')}: neither a Hugging Face daily-papers JSON array nor an arXiv Atom feed`,
      `${object}: expected a JSON array of daily-papers entries, got an object`,
    ]);
  });

  test('a response given as text to the API: featuredOn from the caller, or left unknown and said so', async () => {
    const text = fs.readFileSync(hfFile('2024-06-13'), 'utf8');
    const unknown = await importHfDailyPapers(run.t.db, text, { source: 'no-date' });
    expect(unknown).toMatchObject({ ok: true, papersCreated: 21, featuredOnUnknown: 21 });
    expect(await run.t.db.paper.count({ where: { featuredOn: null } })).toBe(21);
    const known = await importHfDailyPapers(run.t.db, text, { source: 'dated', featuredOn: '2024-06-13' });
    expect(known).toMatchObject({ papersUpdated: 21, featuredOnUnknown: 0 });
    expect(await run.t.db.paper.count({ where: { featuredOn: day('2024-06-13') } })).toBe(21);
  });
});

// ---------------------------------------------------------------------------------------------
// Live-API paths against a local server serving the recorded responses.

interface FakeApi {
  url: string;
  requests: { path: string; params: URLSearchParams }[];
  close(): Promise<void>;
}

async function fakeApi(): Promise<FakeApi> {
  const requests: FakeApi['requests'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    requests.push({ path: url.pathname, params: url.searchParams });
    const send = (status: number, type: string, body: string) => res.writeHead(status, { 'content-type': type }).end(body);
    if (url.pathname === '/api/daily_papers') {
      const date = url.searchParams.get('date') ?? '';
      if (date === '2024-01-01') return send(503, 'text/plain', 'Service Unavailable');
      const file = hfFile(date);
      if (url.searchParams.get('p') === '0' && fs.existsSync(file)) return send(200, 'application/json', fs.readFileSync(file, 'utf8'));
      return send(200, 'application/json', '[]');
    }
    if (url.pathname === '/api/query') {
      // Page 1 of "the query" is one recorded response (3 entries), page 2 the other (1 entry,
      // its total raised to match page 1's), and after that an empty page.
      const start = url.searchParams.get('start');
      if (start === '0') return send(200, 'application/atom+xml', fs.readFileSync(CURRENT_ATOM, 'utf8'));
      if (start === '3') {
        const page = fs.readFileSync(LEGACY_ATOM, 'utf8').replace(/(<opensearch:totalResults[^>]*>)1</, '$158344<');
        return send(200, 'application/atom+xml', page);
      }
      return send(200, 'application/atom+xml', '<feed xmlns="http://www.w3.org/2005/Atom"></feed>');
    }
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

maybe('live sources (a local server serving the recorded responses)', () => {
  startEmpty();
  let api: FakeApi;
  beforeEach(async () => {
    api = await fakeApi();
  });
  afterEach(() => api.close());

  test('--hf-date: the day asked for is the featured day of entries that do not state one', async () => {
    const summary = await importHfDays(run.t.db, ['2024-05-27', '2024-05-28'], { baseUrl: api.url, delayMs: 0 });
    expect(summary).toMatchObject({ ok: true, papersCreated: 13, featuredOnUnknown: 0 });
    expect(summary.sources.map((s) => s.source)).toEqual([`${api.url}/api/daily_papers?date=2024-05-27`, `${api.url}/api/daily_papers?date=2024-05-28`]);
    expect((await paper('2405.15738')).featuredOn).toEqual(day('2024-05-27'));
    expect(api.requests.map((r) => Object.fromEntries(r.params))).toEqual([
      { date: '2024-05-27', limit: '100', p: '0' },
      { date: '2024-05-28', limit: '100', p: '0' },
    ]);
  });

  test('the CLI with --hf-week fetches each day of the week from HF_API_URL, one transaction each', async () => {
    const out: string[] = [];
    const sink = { write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WriteStream;
    const code = await main(['--hf-week', '2026-W30', '--quiet'], { DATABASE_URL: run.t.url, HF_API_URL: api.url, HF_DELAY_MS: '0' }, { stdout: sink, stderr: sink });
    expect(code).toBe(0);
    expect(api.requests.map((r) => r.params.get('date'))).toEqual(isoWeekDays('2026-W30'));
    const expected = ['2026-07-20', '2026-07-21', '2026-07-22', '2026-07-23', '2026-07-24'].reduce((n, d) => n + readHf(hfFile(d)).length, 0);
    expect(await run.t.db.paper.count()).toBe(expected);
    expect(out.join('')).toContain(`Import summary: 7 inputs imported, 0 rejected\n  papers:  ${expected} created`);
  });

  test('a failing day is retried, then rejected; the other days still import', async () => {
    const summary = await importHfDays(run.t.db, ['2024-01-01', '2025-01-13'], { baseUrl: api.url, delayMs: 0, attempts: 2, retryDelayMs: 0 });
    expect(summary.ok).toBe(false);
    expect(summary.rejected.map((s) => s.reason)).toEqual([`${api.url}/api/daily_papers?date=2024-01-01&limit=100&p=0: HTTP 503 Service Unavailable: Service Unavailable`]);
    expect(api.requests.filter((r) => r.params.get('date') === '2024-01-01')).toHaveLength(2);
    expect(await run.t.db.paper.count()).toBe(5);
  });

  test('--arxiv pages through two responses, spaced by the configured delay', async () => {
    const sent: number[] = [];
    const timed: typeof fetch = (input, init) => (sent.push(performance.now()), fetch(input, init));
    const summary = await importArxivQuery(run.t.db, 'cat:cs.RO', { baseUrl: api.url, delayMs: 150, pageSize: 3, maxResults: 4, fetch: timed });
    expect(summary).toMatchObject({ ok: true, entries: 4, papersCreated: 4 });
    expect(api.requests.map((r) => Object.fromEntries(r.params))).toEqual([
      { search_query: 'cat:cs.RO', start: '0', max_results: '3' },
      { search_query: 'cat:cs.RO', start: '3', max_results: '1' },
    ]);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(145); // timers may round by a millisecond or so
    expect((await run.t.db.paper.findMany({ select: { arxivId: true }, orderBy: { arxivId: 'asc' } })).map((p) => p.arxivId)).toEqual([
      '1601.00001', '2012.11345', '2012.12142', '2012.13240',
    ]);
  });

  test('the CLI with --arxiv and ARXIV_API_URL; an empty page ends the paging', async () => {
    const sink = { write: () => true } as unknown as NodeJS.WriteStream;
    const env = { DATABASE_URL: run.t.url, ARXIV_API_URL: api.url };
    const code = await main(['--arxiv', 'cat:cs.RO', '--arxiv-page-size', '3', '--arxiv-max', '10', '--arxiv-delay-ms', '0', '--quiet'], env, { stdout: sink, stderr: sink });
    expect(code).toBe(0);
    expect(api.requests.map((r) => [r.params.get('start'), r.params.get('max_results')])).toEqual([['0', '3'], ['3', '3'], ['4', '3']]);
    expect(await run.t.db.paper.count()).toBe(4);
  });
});

maybe("our users' votes", () => {
  startEmpty();
  test('imports never touch upvoteCount, Vote rows or submittedBy; HF upvotes go to hfUpvotes', async () => {
    const file = hfFile('2025-07-22');
    await importFiles(run.t.db, [file]);
    const user = await run.t.db.user.create({ data: { handle: 'reader', displayName: 'Reader' } });
    const target = await paper('2507.15846');
    await run.t.db.vote.create({ data: { userId: user.id, paperId: target.id } });
    await run.t.db.paper.update({ where: { id: target.id }, data: { upvoteCount: 1, submittedById: user.id } });

    const newer = copyHf(file, '2025-07-22.json', (entries) => (entries[1]!.paper.upvotes = 500));
    expect(await importFiles(run.t.db, [newer])).toMatchObject({ papersUpdated: 1 });
    expect(await paper('2507.15846')).toMatchObject({ upvoteCount: 1, hfUpvotes: 500, submittedById: user.id, hfSubmitterHandle: 'tricktreat' });
    expect(await run.t.db.vote.findMany({ select: { userId: true, paperId: true } })).toEqual([{ userId: user.id, paperId: target.id }]);
    expect(await run.t.db.paper.count({ where: { upvoteCount: { not: 0 } } })).toBe(1);
    expect(await run.t.db.user.count()).toBe(1); // no User rows for Hugging Face submitters
  });
});

// ---------------------------------------------------------------------------------------------
// Pure parts, with no data set needed.

describe('rules', () => {
  test('topic slugs collapse near-duplicates', () => {
    expect(['LLM', 'llm', 'L.L.M.', ' LLM '].map(topicSlug)).toEqual(['llm', 'llm', 'llm', 'llm']);
    expect(['Reinforcement Learning', 'reinforcement-learning', 'reinforcement learning'].map(topicSlug)).toEqual(Array(3).fill('reinforcement-learning'));
    expect(topicSlug('Café Lumière')).toBe('cafe-lumiere');
    expect(topicSlug('GPT-4.5')).toBe('gpt-4-5');
    expect(topicSlug('Hint-δ')).toBe('hint-δ');
    expect(topicSlug('cs.CV')).toBe('cs-cv');
    expect(topicSlug('')).toBe('');
  });

  test('GitHub links become the repository URL', () => {
    expect(normalizeGithubRepo('https://github.com/bytedance/1d-tokenizer/')).toBe('https://github.com/bytedance/1d-tokenizer');
    expect(normalizeGithubRepo('http://www.github.com/Tongyi-MAI/Z-Image/tree/main')).toBe('https://github.com/Tongyi-MAI/Z-Image');
    expect(normalizeGithubRepo('github.com/a/b.git')).toBe('https://github.com/a/b');
    expect(normalizeGithubRepo(' https://gitlab.com/a/b ')).toBe('https://gitlab.com/a/b');
  });

  test('week and month ranges', () => {
    expect(isoWeekDays('2026-W30')[0]).toBe('2026-07-20');
    expect(isoWeekDays('2025-W01')).toEqual(['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05']);
    expect(() => isoWeekDays('2025-W53')).toThrow('2025 has ISO weeks W01 to W52; got "2025-W53"');
    expect(monthDays('2024-02')).toHaveLength(29);
  });

  test('bad arguments: a usage message and exit code 1', async () => {
    expect(() => parseCli([])).toThrow(/^nothing to import/);
    expect(() => parseCli(['--hf-date', '2025-02-30'])).toThrow('--hf-date expects a day YYYY-MM-DD; got "2025-02-30"');
    expect(() => parseCli(['--hf-from', '2025-01-02'])).toThrow('--hf-from and --hf-to go together');
    expect(() => parseCli(['--nope'])).toThrow(/Unknown option '--nope'/);
    // The environment is read by src/config.ts, as for every command: its message names the variable.
    expect(() => parseCli(['--arxiv', 'x'], { ARXIV_DELAY_MS: 'soon' })).toThrow('ARXIV_DELAY_MS must be a whole number from 0 to 3600000; got "soon"');
    expect(parseCli(['--hf-from', '2025-01-30', '--hf-to', '2025-02-02', 'a.json'], {})).toMatchObject({
      paths: ['a.json'],
      hfDays: ['2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02'],
      hfUrl: 'https://huggingface.co',
      arxivDelayMs: 3000,
    });
    let err = '';
    const sink = { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WriteStream;
    expect(await main(['--hf-week', '2025-13'], {}, { stdout: sink, stderr: sink })).toBe(1);
    expect(err).toContain('error: expected an ISO week YYYY-Www (e.g. 2025-W03); got "2025-13"');
    expect(err).toContain(USAGE);
  });
});

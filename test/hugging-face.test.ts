// Hugging Face links (Paper.huggingFace: thumbnail, mediaUrls, submitterOrganization, models,
// datasets, Spaces) on the real daily-papers responses in ../shared/data: what a file carries
// is kept, what it lacks is null, never zero or an empty list. Expectations are computed here
// from the raw JSON, independently of the importer.
import fs from 'node:fs';
import path from 'node:path';
import { importFiles, importHfDailyPapers } from '../src/catalog/import/importer.ts';
import { describeWithRealData, haveRealData, hfDir } from './helpers/real-data.ts';
import { setupTestRunner } from './helpers/runner.ts';

const haveData = haveRealData;
const maybe = describeWithRealData('the Hugging Face links tests on real data');

type Entry = { paper: Record<string, any> } & Record<string, any>;
const files = haveData ? fs.readdirSync(hfDir).filter((f) => f.endsWith('.json')).sort() : [];
const readHf = (file: string): Entry[] => JSON.parse(fs.readFileSync(path.join(hfDir, file), 'utf8'));

interface Links {
  thumbnail: string | null;
  mediaUrls: string[] | null;
  submitterOrganization: { name: string; fullName: string | null; avatarUrl: string | null } | null;
  models: null;
  datasets: null;
  spaces: null;
}

/** Per arXiv id: the links after importing every file in name order (a later file wins where it says something). */
function expectedLinks(): Map<string, Links> {
  const byPaper = new Map<string, Links>();
  for (const file of files) {
    for (const entry of readHf(file)) {
      const id = String(entry.paper.id);
      const links = byPaper.get(id) ?? { thumbnail: null, mediaUrls: null, submitterOrganization: null, models: null, datasets: null, spaces: null };
      const thumbnail = entry.thumbnail ?? entry.mediaUrl;
      if (thumbnail != null) links.thumbnail = thumbnail;
      const media = entry.paper.mediaUrls ?? entry.mediaUrls;
      if (media != null) links.mediaUrls = media;
      const org = entry.submitterOrganization;
      if (org != null) links.submitterOrganization = { name: org.name, fullName: org.fullname ?? null, avatarUrl: org.avatar ?? null };
      byPaper.set(id, links);
    }
  }
  return byPaper;
}

const LINKS = `huggingFace { upvotes thumbnail mediaUrls submitterOrganization { name fullName avatarUrl } models { count names } datasets { count names } spaces { count names } }`;

maybe('Hugging Face links on the real files', () => {
  // Read-only tests: one import of every file serves them all.
  const run = setupTestRunner({ reset: 'once', scenario: (db) => importFiles(db, [hfDir]) });
  beforeAll(() => expect(run.scenario.ok).toBe(true));

  test('the files carry no linked models, datasets or Spaces: those stay null everywhere', () => {
    const keys = new Set<string>();
    for (const file of files) for (const entry of readHf(file)) for (const key of [...Object.keys(entry), ...Object.keys(entry.paper)]) keys.add(key);
    for (const key of ['models', 'datasets', 'spaces']) expect(keys.has(key)).toBe(false);
    // What they do carry, by era (see ../shared/data/README.md).
    for (const key of ['thumbnail', 'mediaUrl', 'mediaUrls', 'submitterOrganization']) expect(keys.has(key)).toBe(true);
  });

  test('every paper shows exactly what its files carried, and null for the rest', async () => {
    const expected = expectedLinks();
    const seen = new Map<string, Links>();
    let after: string | null = null;
    do {
      const page: any = await run.server.data(`query($after: String) { papers(first: 100, after: $after, orderBy: { field: PUBLISHED_AT }) { nodes { arxivId ${LINKS} } pageInfo { hasNextPage endCursor } } }`, { after });
      for (const node of page.papers.nodes) {
        const { upvotes, ...links } = node.huggingFace;
        expect(upvotes).not.toBeNull();
        seen.set(node.arxivId, links);
      }
      after = page.papers.pageInfo.hasNextPage ? page.papers.pageInfo.endCursor : null;
    } while (after);
    expect(seen.size).toBe(expected.size);
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected));

    // The null-versus-zero cases the files actually exercise, counted from the raw data.
    const values = [...seen.values()];
    const withMedia = values.filter((l) => l.mediaUrls !== null);
    expect(withMedia.length).toBeGreaterThan(0);
    expect(values.length - withMedia.length).toBeGreaterThan(0); // no mediaUrls key: null, not []
    expect(values.filter((l) => Array.isArray(l.mediaUrls) && l.mediaUrls.length === 0)).toHaveLength(
      [...expected.values()].filter((l) => Array.isArray(l.mediaUrls) && l.mediaUrls.length === 0).length,
    );
    expect(values.filter((l) => l.submitterOrganization !== null).length).toBeGreaterThan(0);
    expect(values.filter((l) => l.submitterOrganization === null).length).toBeGreaterThan(0);
    expect(values.every((l) => l.models === null && l.datasets === null && l.spaces === null)).toBe(true);
  });

  test('the oldest shape (2024-05-27) names the thumbnail mediaUrl; an org from 2025-09-29', async () => {
    const old = readHf('2024-05-27.json')[0]!;
    const result = await run.server.data(`query($id: String!) { paper(arxivId: $id) { ${LINKS} } }`, { id: old.paper.id });
    expect(result.paper.huggingFace.thumbnail).toBe(old.mediaUrl);
    const withOrg = readHf('2025-09-29.json').find((e) => e.submitterOrganization)!;
    const org = await run.server.data(`query($id: String!) { paper(arxivId: $id) { ${LINKS} } }`, { id: withOrg.paper.id });
    expect(org.paper.huggingFace.submitterOrganization).toEqual({
      name: withOrg.submitterOrganization.name,
      fullName: withOrg.submitterOrganization.fullname,
      avatarUrl: withOrg.submitterOrganization.avatar ?? null,
    });
  });
});

maybe('Hugging Face links the files do not show', () => {
  const run = setupTestRunner();
  /** A real entry, changed by `edit`. */
  const entry = (edit: (e: Entry) => void): Entry[] => {
    const e = structuredClone(readHf('2025-10-03.json')[0]!);
    edit(e);
    return [e];
  };
  const links = async (id: string) => (await run.server.data(`query($id: String!) { paper(arxivId: $id) { ${LINKS} } }`, { id })).paper.huggingFace;

  test('listed repositories: count and names; an empty list is zero; an absent key is null; a later snapshot without them keeps them', async () => {
    const id = readHf('2025-10-03.json')[0]!.paper.id;
    await importHfDailyPapers(run.db, entry((e) => {
      e.paper.models = ['org/model-a', { id: 'org/model-b', likes: 3 }];
      e.datasets = [];
      e.mediaUrls = [];
      delete e.paper.mediaUrls;
    }), { featuredOn: '2025-10-03' });
    expect(await links(id)).toMatchObject({ models: { count: 2, names: ['org/model-a', 'org/model-b'] }, datasets: { count: 0, names: [] }, spaces: null, mediaUrls: [] });

    // A later snapshot that lacks them changes none of them.
    await importHfDailyPapers(run.db, entry((e) => {
      delete e.paper.mediaUrls;
      delete e.mediaUrls;
    }), { featuredOn: '2025-10-03' });
    expect(await links(id)).toMatchObject({ models: { count: 2, names: ['org/model-a', 'org/model-b'] }, datasets: { count: 0 }, spaces: null, mediaUrls: [] });
  });

  test('items without an id are counted, names null', async () => {
    const id = readHf('2025-10-03.json')[0]!.paper.id;
    await importHfDailyPapers(run.db, entry((e) => (e.spaces = [{ likes: 1 }, { likes: 2 }, 'org/space'])), { featuredOn: '2025-10-03' });
    expect((await links(id)).spaces).toEqual({ count: 3, names: null });
  });

  test('a media URL that is not http(s) rejects the entry, naming the field', async () => {
    const summary = await importHfDailyPapers(run.db, entry((e) => (e.paper.mediaUrls = ['https://cdn.example.org/a.png', 'javascript:alert(1)'])), { source: 'bad', featuredOn: '2025-10-03' });
    expect(summary.ok).toBe(false);
    expect(summary.rejected[0]!.problems).toEqual([expect.objectContaining({ field: 'paper.mediaUrls[1]', message: 'expected an http(s) URL, got string "javascript:alert(1)"' })]);
    expect(await run.db.paper.count()).toBe(0);
  });
});

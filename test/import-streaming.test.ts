// A Hugging Face file is validated in one streaming pass, then read again and written round by
// round in one transaction (src/catalog/import/hf-daily-papers.ts, writer.ts): still all or nothing,
// and a paper listed several times far apart is still one merged paper.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { importFiles, importHfDailyPapers } from '../src/catalog/import/importer.ts';
import { setupTestRunner } from './helpers/runner.ts';

const run = setupTestRunner({ server: false });

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'import-streaming-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A valid entry of the current format for `id`. */
function entry(id: string, over: { title?: string; day?: string; keywords?: string[] } = {}) {
  return {
    paper: {
      id,
      title: over.title ?? `Paper ${id}`,
      summary: `Abstract of ${id}.`,
      publishedAt: '2025-03-10T17:00:00.000Z',
      submittedOnDailyAt: `${over.day ?? '2025-03-12'}T09:00:00.000Z`,
      authors: [{ name: `Author of ${id}`, hidden: false }],
      ai_keywords: over.keywords ?? ['Streaming'],
      upvotes: 1,
    },
    numComments: 0,
  };
}
const ids = (n: number) => Array.from({ length: n }, (_, i) => `2503.${String(10000 + i)}`);
function write(name: string, entries: unknown[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(entries));
  return file;
}

test('a paper listed three times, hundreds of entries apart, is one paper merged as before', async () => {
  const others = ids(700).slice(1).map((id) => entry(id));
  const repeated = '2503.10000';
  const entries = [
    entry(repeated, { title: 'First title', day: '2025-03-14', keywords: ['Alpha'] }),
    ...others.slice(0, 350),
    entry(repeated, { title: 'Second title', day: '2025-03-11', keywords: ['Beta'] }),
    ...others.slice(350),
    entry(repeated, { title: 'Last title', day: '2025-03-13', keywords: ['Alpha', 'Gamma'] }),
  ];
  const summary = await importFiles(run.db, [write('papers.json', entries)]);
  expect(summary).toMatchObject({ ok: true, entries: 702, papersCreated: 700, papersUpdated: 0 });
  const paper = await run.db.paper.findUniqueOrThrow({ where: { arxivId: repeated }, include: { topics: { include: { topic: true } } } });
  // The later entry wins field by field, the featured day is the earliest, topics are the union.
  expect(paper.title).toBe('Last title');
  expect(paper.featuredOn?.toISOString().slice(0, 10)).toBe('2025-03-11');
  expect(paper.topics.map((t) => t.topic.slug).sort()).toEqual(['alpha', 'beta', 'gamma']);
  expect(await run.db.paper.count()).toBe(700);
});

test('a bad entry at the very end rejects the file before anything is written', async () => {
  const file = write('papers.json', [...ids(600).map((id) => entry(id)), { paper: { id: '2503.99999', title: 42 } }]);
  const summary = await importFiles(run.db, [file]);
  expect(summary.ok).toBe(false);
  expect(summary.rejected[0]!.reason).toMatch(/entry 600 \(2503\.99999\), field paper\.title: expected a string, got number 42/);
  expect(await run.db.paper.count()).toBe(0);
  expect(await run.db.author.count()).toBe(0);
});

test('an input that reads differently the second time is rejected and leaves nothing, even past the first rounds', async () => {
  const valid = JSON.stringify(ids(600).map((id) => entry(id)));
  // The second read has a broken entry after 500 good ones: rounds of 250 were already written.
  const changed = JSON.stringify([...ids(500).map((id) => entry(id)), { paper: { id: '2503.99999' } }, ...ids(600).slice(501).map((id) => entry(id))]);
  let opened = 0;
  const open = () => Readable.from([opened++ === 0 ? valid : changed]);
  const summary = await importHfDailyPapers(run.db, open, { source: 'changing.json' });
  expect(opened).toBe(2);
  expect(summary.ok).toBe(false);
  expect(summary.rejected[0]!.reason).toMatch(/^changing\.json: changed while it was being imported/);
  expect(await run.db.paper.count()).toBe(0);

  // Fewer entries the second time: rejected too.
  opened = 0;
  const shorter = JSON.stringify(ids(300).map((id) => entry(id)));
  const again = await importHfDailyPapers(run.db, () => Readable.from([opened++ === 0 ? valid : shorter]), { source: 'shrinking.json' });
  expect(again.ok).toBe(false);
  expect(await run.db.paper.count()).toBe(0);
});

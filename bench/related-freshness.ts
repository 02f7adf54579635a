// How fresh are the precomputed related papers (src/catalog/related/neighbours.ts)? On a catalog
// database (the bench catalog, migrated and rebuilt):
//   1. the queue is drained to empty first (after the related_neighbours migration or a rebuild:
//      every paper), timed: the catalog's first fill;
//   2. with the background job running as the server runs it (src/catalog/related/job.ts, every
//      --interval seconds), an import-like transaction adds --papers new papers (the text
//      of random existing papers, a word changed), and the time from its commit until each new
//      paper has its list and is in the list of its nearest neighbour (when that one has a list)
//      is measured;
//   3. the new papers are removed again (the lists that took them are recomputed).
//
//   tsx bench/related-freshness.ts <database name> [--papers 100] [--interval 30] [--set-aside]
//
// --set-aside: instead of draining the backlog first (hours for a whole catalog on 2 cores), set
// it aside for the run (a table of its own, put back at the end): the queue of a caught-up
// server, with the papers of the backlog answered live meanwhile.
import { parseArgs } from 'node:util';
import { createDb } from '../src/platform/db/client.ts';
import { drainRelated, relatedBacklog } from '../src/catalog/related/neighbours.ts';
import { relatedRefreshJob } from '../src/catalog/related/job.ts';
import { withDatabase } from './catalog.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { papers: { type: 'string' }, interval: { type: 'string' }, 'set-aside': { type: 'boolean' } } });
const name = positionals[0];
if (!name) throw new Error('usage: tsx bench/related-freshness.ts <database name> [--papers 100] [--interval 30]');
const papers = Number(values.papers ?? 100);
const intervalS = Number(values.interval ?? 30);
const url = withDatabase(process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', name);
const database = createDb({ connectionString: url, poolSize: 4, statementTimeoutMs: 0 });
const { db } = database;
const PREFIX = '9912.';
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

try {
  // Leftovers of an interrupted run.
  await db.$executeRawUnsafe(`DELETE FROM "Paper" WHERE "arxivId" LIKE '${PREFIX}%'`);
  const backlog = await relatedBacklog(db);
  if (values['set-aside']) {
    await db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS bench_related_queue_aside AS SELECT * FROM "RelatedQueue" WITH NO DATA`);
    await db.$executeRawUnsafe(`WITH moved AS (DELETE FROM "RelatedQueue" RETURNING *) INSERT INTO bench_related_queue_aside SELECT * FROM moved`);
    console.log(`${backlog.queued} queued papers set aside for the run`);
  } else if (backlog.queued > 0) {
    console.log(`draining ${backlog.queued} queued papers first (a catalog's first fill)...`);
    let shown = 0;
    const report = await drainRelated(db, {
      stopped: () => {
        if (performance.now() - shown > 30_000) {
          shown = performance.now();
          void relatedBacklog(db).then((b) => console.log(`  ${b.queued} left`));
        }
        return false;
      },
    });
    console.log(`first fill: ${report.papers} papers in ${s(report.ms)} (${(report.papers / (report.ms / 1000)).toFixed(0)} papers/s, ${report.batches} batches, ${report.listsUpdated} other lists updated)`);
  }

  const stop = await relatedRefreshJob(db, { intervalMs: intervalS * 1000, onRun: (r) => console.log('run', JSON.stringify(r)), onError: (error) => console.error('drain failed:', error) })();
  try {
    // A random phase of the job's timer, as for an import at any time.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * intervalS * 1000));
    const committed = performance.now();
    const ids = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<{ id: number }[]>(
        `INSERT INTO "Paper" ("arxivId", title, abstract, "publishedAt", "featuredOn", "updatedAt")
         SELECT '${PREFIX}' || lpad(g::text, 5, '0'), 'Revisited: ' || p.title, replace(p.abstract, ' the ', ' a '), now(), current_date, now()
         FROM generate_series(1, $1) g
         CROSS JOIN LATERAL (SELECT title, abstract FROM "Paper" WHERE id = 1 + (g * 7919) % (SELECT max(id) FROM "Paper")) p
         RETURNING id`,
        papers,
      );
      return rows.map((row) => row.id);
    });
    const done = async () => {
      const [row] = await db.$queryRawUnsafe<{ listed: number; taken: number }[]>(
        `SELECT count(*)::int AS listed,
                count(*) FILTER (WHERE cardinality(n.neighbours) = 0 OR NOT EXISTS (
                  SELECT 1 FROM "PaperNeighbours" m WHERE m."paperId" = n.neighbours[1] AND NOT n."paperId" = ANY(m.neighbours)))::int AS taken
         FROM "PaperNeighbours" n WHERE n."paperId" = ANY($1::int[])`,
        ids,
      );
      return row!;
    };
    let state = await done();
    let firstAll: number | undefined;
    while (state.taken < ids.length) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      state = await done();
      if (firstAll === undefined && state.listed === ids.length) firstAll = performance.now() - committed;
    }
    const all = performance.now() - committed;
    console.log(`${papers} papers added in one transaction, job every ${intervalS} s: every one had its list after ${s(firstAll ?? all)} and was in its nearest neighbour's list after ${s(all)}`);
  } finally {
    await stop();
  }

  // Take them out again: the lists that hold them are computed again.
  const started = performance.now();
  await db.$executeRawUnsafe(
    `INSERT INTO "RelatedQueue" ("paperId") SELECT n."paperId" FROM "PaperNeighbours" n
     WHERE n.neighbours && ARRAY(SELECT id FROM "Paper" WHERE "arxivId" LIKE '${PREFIX}%') ON CONFLICT DO NOTHING`,
  );
  await db.$executeRawUnsafe(`DELETE FROM "Paper" WHERE "arxivId" LIKE '${PREFIX}%'`);
  const cleanup = await drainRelated(db);
  console.log(`removed them; ${cleanup.papers} lists recomputed in ${s(performance.now() - started)}`);
} finally {
  if (values['set-aside']) {
    await db.$executeRawUnsafe(`INSERT INTO "RelatedQueue" SELECT * FROM bench_related_queue_aside ON CONFLICT DO NOTHING`);
    await db.$executeRawUnsafe(`DROP TABLE bench_related_queue_aside`);
  }
  await database.close();
}

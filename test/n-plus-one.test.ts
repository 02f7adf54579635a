// The number of SQL statements of a page must not grow with the page size: every relation a
// list fans out to goes through a per-request DataLoader.
import type { Db } from '../src/platform/db/client.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { day } from './helpers/scenarios.ts';

/** 60 papers, each with 3 authors out of 20, 2 topics out of 6 (one tree), and a submitter. */
async function sixtyPapers(db: Db) {
  const users = await Promise.all([0, 1, 2].map((i) => db.user.create({ data: { handle: `user${i}`, displayName: `User ${i}` } })));
  const parent = await db.topic.create({ data: { slug: 'root', name: 'Root' } });
  const topics = await Promise.all([0, 1, 2, 3, 4].map((i) => db.topic.create({ data: { slug: `t${i}`, name: `Topic ${i}`, parentId: parent.id } })));
  const authors = await Promise.all(Array.from({ length: 20 }, (_, i) => db.author.create({ data: { name: `Author ${i}`, normalizedName: `author ${i}` } })));
  for (let i = 0; i < 60; i++) {
    await db.paper.create({
      data: {
        arxivId: `2407.${String(i).padStart(5, '0')}`,
        title: `Paper ${i}`,
        abstract: 'a',
        publishedAt: day('2024-06-01'),
        featuredOn: day(`2024-07-${String(1 + (i % 28)).padStart(2, '0')}`),
        submittedById: users[i % 3]!.id,
        authors: { create: [0, 1, 2].map((k) => ({ authorId: authors[(i + k * 7) % 20]!.id, position: k })) },
        topics: { create: [{ topicId: topics[i % 5]!.id }, { topicId: i % 2 ? parent.id : topics[(i + 1) % 5]!.id }] },
      },
    });
  }
}

const run = setupTestRunner({ scenario: sixtyPapers, reset: 'once' });

const PAGE = `query($n: Int!) { papers(first: $n) {
  totalCount
  nodes { title authors { name paperCount } topics { name parent { name } children { name } } submittedBy { handle } }
} }`;

async function statementsFor(n: number): Promise<{ count: number; papers: number }> {
  run.t.queries.length = 0;
  const { papers } = await run.server.data(PAGE, { n });
  return { count: run.t.queries.length, papers: papers.nodes.length };
}

test('a page of papers with authors, topics and submitters costs the same SQL for 5 and 50 papers', async () => {
  const small = await statementsFor(5);
  const large = await statementsFor(50);
  expect(small.papers).toBe(5);
  expect(large.papers).toBe(50);
  // papers, count, bylines with authors and topics (one statement), users, author paper
  // counts, topic children; topic parents come from the cache the topics query primed.
  expect(large.count).toBe(small.count);
  expect(large.count).toBeLessThanOrEqual(8);
  console.log(`SQL statements per page: first 5 -> ${small.count}, first 50 -> ${large.count}`);
});

test('the statement count is what the issue names: papers(first: 50) { authors topics submittedBy }', async () => {
  const query = `query($n: Int!) { papers(first: $n) { nodes { authors { name } topics { name } submittedBy { handle } } } }`;
  run.t.queries.length = 0;
  await run.server.data(query, { n: 5 });
  const five = run.t.queries.length;
  run.t.queries.length = 0;
  await run.server.data(query, { n: 50 });
  expect(run.t.queries.length).toBe(five);
  expect(five).toBe(2); // papers with their bylines, authors and topics (one statement); users
  console.log(`SQL statements for papers(first: 5 / 50) { authors topics submittedBy }: ${five}`);
});

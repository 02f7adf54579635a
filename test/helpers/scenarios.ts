// Named scenario data: small catalogs whose every fact a test can state.
import type { Db } from '../../src/db/client.ts';

export const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

/**
 * "small catalog": 3 featured days, 6 papers, 4 authors shared between papers, a topic tree
 * (machine-learning > {computer-vision, nlp}), 2 users, and one paper never featured.
 */
export async function smallCatalog(db: Db) {
  const alice = await db.user.create({ data: { handle: 'alice', displayName: 'Alice Curator', role: 'CURATOR' } });
  const bob = await db.user.create({ data: { handle: 'bob', displayName: 'Bob Reader' } });
  const ml = await db.topic.create({ data: { slug: 'machine-learning', name: 'Machine Learning' } });
  const cv = await db.topic.create({ data: { slug: 'computer-vision', name: 'Computer Vision', parentId: ml.id } });
  const nlp = await db.topic.create({ data: { slug: 'nlp', name: 'Natural Language Processing', parentId: ml.id } });
  const names = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Yann LeCun'];
  const authors = [];
  for (const name of names) {
    authors.push(await db.author.create({ data: { name, normalizedName: name.toLowerCase() } }));
  }
  const [ada, alan, grace, yann] = authors as [typeof authors[0], typeof authors[0], typeof authors[0], typeof authors[0]];
  const specs = [
    { arxivId: '2407.00001', title: 'Attention Is Still All You Need', featuredOn: '2024-07-01', authors: [ada, alan, grace], topics: [nlp], github: 'https://github.com/org/attention', submittedBy: alice },
    { arxivId: '2407.00002', title: 'Diffusion Models Beat Everything', featuredOn: '2024-07-01', authors: [yann], topics: [cv], github: null, submittedBy: bob },
    { arxivId: '2407.00003', title: 'Scaling Laws for Tiny Models', featuredOn: '2024-07-02', authors: [grace, ada], topics: [nlp, ml], github: null, submittedBy: null },
    { arxivId: '2407.00004', title: 'Vision Transformers at Scale', featuredOn: '2024-07-02', authors: [yann, alan], topics: [cv], github: 'https://github.com/org/vit', submittedBy: alice },
    { arxivId: '2407.00005', title: 'A Survey of Surveys', featuredOn: '2024-07-03', authors: [alan], topics: [ml], github: null, submittedBy: bob },
    { arxivId: '2407.00006', title: 'Retrieval Augmented Everything', featuredOn: '2024-07-03', authors: [ada, yann], topics: [], github: null, submittedBy: null },
    { arxivId: '2406.09999', title: 'Never Featured Preprint', featuredOn: null, authors: [grace], topics: [], github: null, submittedBy: null },
  ];
  const papers = [];
  for (const spec of specs) {
    papers.push(
      await db.paper.create({
        data: {
          arxivId: spec.arxivId,
          title: spec.title,
          abstract: `Abstract of ${spec.title}.`,
          publishedAt: new Date(`${spec.arxivId.startsWith('2406') ? '2024-06-20' : '2024-06-28'}T17:00:00Z`),
          featuredOn: spec.featuredOn ? day(spec.featuredOn) : null,
          githubRepo: spec.github,
          githubStars: spec.github ? 42 : null,
          submittedById: spec.submittedBy?.id ?? null,
          authors: { create: spec.authors.map((a, position) => ({ authorId: a.id, position })) },
          topics: { create: spec.topics.map((t) => ({ topicId: t.id })) },
        },
      }),
    );
  }
  return { users: { alice, bob }, topics: { ml, cv, nlp }, authors: { ada, alan, grace, yann }, papers };
}

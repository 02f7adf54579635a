// Named scenario data: small catalogs whose every fact a test can state.
import type { Db } from '../../src/platform/db/client.ts';

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

// "themed catalog": three diffusion papers, three language-model papers, two robotics papers,
// and one paper on all and nothing. Abstracts are written so that papers of a theme share
// their distinctive words and papers of different themes share only generic ones. The three
// diffusion papers are in topic image-generation; one author wrote them all. Users: a curator
// (cora) and a reader (rea).
export const THEMED = [
  { key: 'diff1', title: 'Latent Diffusion for High Resolution Image Synthesis', abstract: 'We train a latent diffusion model that denoises image latents; the diffusion sampler synthesizes high resolution images from text prompts.' },
  { key: 'diff2', title: 'Faster Diffusion Sampling with Consistency Distillation', abstract: 'Diffusion models need many denoising steps. We distill the diffusion sampler into a consistency model that synthesizes images in two steps.' },
  { key: 'diff3', title: 'Video Diffusion Transformers', abstract: 'We extend latent diffusion to video: a transformer denoises video latents and the sampler synthesizes coherent frames.' },
  { key: 'llm1', title: 'Scaling Laws for Language Model Pretraining', abstract: 'We study how language model loss scales with tokens and parameters during pretraining of large language models.' },
  { key: 'llm2', title: 'Instruction Tuning Large Language Models', abstract: 'Instruction tuning aligns pretrained large language models with human instructions; we release an instruction dataset of tokens.' },
  { key: 'llm3', title: 'Reasoning in Language Models with Chain of Thought', abstract: 'Chain of thought prompting lets large language models reason step by step; we analyse the tokens the language model writes.' },
  { key: 'robot1', title: 'Robot Grasping from Tactile Feedback', abstract: 'A robot arm learns grasping policies from tactile sensors; the gripper adapts its grasp to object slip.' },
  { key: 'robot2', title: 'Dexterous Robot Manipulation with a Tactile Hand', abstract: 'We train manipulation policies for a dexterous robot hand with tactile sensing, grasping and reorienting objects.' },
  { key: 'misc', title: 'A Note on Evaluation', abstract: 'We discuss how results are reported and compared across papers.' },
] as const;
export type ThemedKey = (typeof THEMED)[number]['key'];

export async function themedCatalog(db: Db) {
  const curator = await db.user.create({ data: { handle: 'cora', displayName: 'Cora Curator', role: 'CURATOR' } });
  const reader = await db.user.create({ data: { handle: 'rea', displayName: 'Rea Reader' } });
  const vision = await db.topic.create({ data: { slug: 'image-generation', name: 'Image Generation' } });
  const author = await db.author.create({ data: { name: 'Ada Lovelace', normalizedName: 'ada lovelace' } });
  const ids = {} as Record<ThemedKey, number>;
  for (const [i, spec] of THEMED.entries()) {
    const paper = await db.paper.create({
      data: {
        arxivId: `2501.${String(i + 1).padStart(5, '0')}`,
        title: spec.title,
        abstract: spec.abstract,
        publishedAt: day('2025-01-02'),
        featuredOn: day('2025-01-03'),
        authors: { create: [{ authorId: author.id, position: 0 }] },
        topics: { create: spec.key.startsWith('diff') ? [{ topicId: vision.id }] : [] },
      },
    });
    ids[spec.key] = paper.id;
  }
  return { ids, curator, reader, topic: vision, author };
}

// Papers with their byline and topics, for the places outside GraphQL that show them (digest
// emails, Atom feeds). Through the context's loaders: three statements for any number of papers.
import type { Context } from '../context.ts';
import type { Paper } from '../generated/prisma/client.ts';

export interface PaperDetails {
  paper: Paper;
  /** Byline order. */
  authors: string[];
  topics: { slug: string; name: string }[];
}

export function paperDetails(ctx: Context, papers: readonly Paper[]): Promise<PaperDetails[]> {
  return Promise.all(
    papers.map(async (paper) => {
      const [byline, topics] = await Promise.all([ctx.loaders.bylineByPaperId.load(paper.id), ctx.loaders.topicsByPaperId.load(paper.id)]);
      const authors = await Promise.all(byline.map((entry) => ctx.loaders.authorById.load(entry.authorId)));
      return {
        paper,
        authors: authors.flatMap((author) => (author ? [author.name] : [])),
        topics: topics.map((topic) => ({ slug: topic.slug, name: topic.name })),
      };
    }),
  );
}

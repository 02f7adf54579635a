// Papers with their byline and topics, for the places outside GraphQL that show them (digest
// emails, Atom feeds). Through the read service's loaders: two statements for any number of papers.
import type { Paper } from '../../generated/prisma/client.ts';
import type { PaperReads } from './reads.ts';

export interface PaperDetails {
  paper: Paper;
  /** Byline order. */
  authors: string[];
  topics: { slug: string; name: string }[];
}

export function paperDetails(reads: Pick<PaperReads, 'loaders'>, papers: readonly Paper[]): Promise<PaperDetails[]> {
  return Promise.all(
    papers.map(async (paper) => {
      const [byline, topics] = await Promise.all([reads.loaders.bylineByPaperId.load(paper.id), reads.loaders.topicsByPaperId.load(paper.id)]);
      return {
        paper,
        authors: byline.map((entry) => entry.author.name),
        topics: topics.map((topic) => ({ slug: topic.slug, name: topic.name })),
      };
    }),
  );
}

// Paper.citation, and the citation file of a list of papers (Collection.citation).
import type { Paper as PaperRow } from '../../generated/prisma/client.ts';
import type { PaperResolvers } from '../../generated/graphql.ts';
import type { Loaders } from '../context.ts';
import { formatCitations, type CitablePaper, type CitationFormat } from './format.ts';

/** The papers with their bylines (two statements through the loaders, whatever their number). */
export function citable(loaders: Pick<Loaders, 'bylineByPaperId'>, papers: readonly PaperRow[]): Promise<CitablePaper[]> {
  return Promise.all(papers.map(async (paper) => ({ paper, authors: (await loaders.bylineByPaperId.load(paper.id)).map((entry) => entry.author.name) })));
}

export async function citePapers(loaders: Pick<Loaders, 'bylineByPaperId'>, papers: readonly PaperRow[], format: CitationFormat): Promise<string> {
  return formatCitations(await citable(loaders, papers), format);
}

export const Paper: Pick<PaperResolvers, 'citation'> = {
  // The parent is a paper this viewer may see: the field adds nothing about visibility.
  citation: (paper, { format }, ctx) => citePapers(ctx.loaders, [paper], format),
};

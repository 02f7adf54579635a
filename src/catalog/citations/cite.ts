// The citation of papers in a format (BibTeX, RIS, CSL-JSON), for Paper.citation,
// Collection.citation and GET /papers/<arXiv id>.bib alike.
import type { Paper } from '../../generated/prisma/client.ts';
import type { PaperLoaders } from '../papers/index.ts';
import { formatCitations, type CitablePaper, type CitationFormat } from './format.ts';

/** The papers with their bylines (two statements through the loaders, whatever their number). */
export function citable(loaders: Pick<PaperLoaders, 'bylineByPaperId'>, papers: readonly Paper[]): Promise<CitablePaper[]> {
  return Promise.all(papers.map(async (paper) => ({ paper, authors: (await loaders.bylineByPaperId.load(paper.id)).map((entry) => entry.author.name) })));
}

export async function citePapers(loaders: Pick<PaperLoaders, 'bylineByPaperId'>, papers: readonly Paper[], format: CitationFormat): Promise<string> {
  return formatCitations(await citable(loaders, papers), format);
}

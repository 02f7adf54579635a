// The citation of papers in a format (BibTeX, RIS, CSL-JSON), for Paper.citation,
// Collection.citation and GET /papers/<arXiv id>.bib alike.
import type { Paper } from '../../generated/prisma/client.ts';
import type { PaperLoaders } from '../papers/index.ts';
import type { Deadline } from '../../platform/db/reader.ts';
import { formatCitations, type CitablePaper, type CitationFormat } from './format.ts';

/** The papers with their bylines (two statements through the loaders, whatever their number). */
export function citable(loaders: Pick<PaperLoaders, 'bylineByPaperId'>, papers: readonly Paper[]): Promise<CitablePaper[]> {
  return Promise.all(papers.map(async (paper) => ({ paper, authors: (await loaders.bylineByPaperId.load(paper.id)).map((entry) => entry.author.name) })));
}

/**
 * The papers' citation file. Long lists are formatted a slice at a time, yielding the event
 * loop, and stop with OPERATION_TIMEOUT past `deadline` (see ./format.ts).
 */
export async function citePapers(loaders: Pick<PaperLoaders, 'bylineByPaperId'>, papers: readonly Paper[], format: CitationFormat, deadline?: Deadline): Promise<string> {
  return formatCitations(await citable(loaders, papers), format, { deadline });
}

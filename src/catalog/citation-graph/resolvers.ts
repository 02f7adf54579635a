// The citation graph: Paper.references, Paper.citedBy and Paper.citationCount, with the types
// beneath them (CitationEdge, CitationPaper, ExternalPaper, CitationCount). The reads and the
// hidden-paper rule on both ends are in reads.ts; the import of snapshots in import.ts.
import type { CitationCountResolvers, CitationPaperResolvers, ExternalPaperResolvers, PaperResolvers } from '../../generated/graphql.ts';
import type { Paper as PaperRow } from '../../generated/prisma/client.ts';
import { pageRequest, toConnection } from '../../platform/pagination/connection.ts';
import { citedByCursorOf, edgeOf, externalOf, isExternal, referenceCursorOf, type CitationConnectionRow, type CitationNode } from './reads.ts';
import type { Context } from '../context.ts';

/** The catalog paper of a reference: read through the page's loader (one statement for the page). */
async function referencedPaper(ctx: Context, paperId: number): Promise<PaperRow> {
  // The reference read kept listed papers only, and a paper row is never deleted under a read.
  const paper = await ctx.loaders.paperById.load(paperId);
  if (!paper) throw new Error(`cited paper ${paperId} without its row`);
  return paper;
}

export const Paper: Pick<PaperResolvers, 'references' | 'citedBy' | 'citationCount'> = {
  async references(paper, args, ctx): Promise<CitationConnectionRow> {
    const request = pageRequest(args);
    const graph = ctx.loaders.citationGraph();
    const rows = await graph.references.load({ paperId: paper.id, request });
    const nodes: CitationNode[] = await Promise.all(rows.map((row) => (row.paperId !== null ? referencedPaper(ctx, row.paperId) : externalOf(row))));
    const byKey = new Map(rows.map((row, i) => [row.k, nodes[i]!]));
    return toConnection(rows, request, (row) => edgeOf(referenceCursorOf(row), byKey.get(row.k)!, row), () => graph.referenceCount.load(paper.id));
  },
  async citedBy(paper, { orderBy, ...args }, ctx): Promise<CitationConnectionRow> {
    const order = orderBy ?? 'NEWEST';
    const request = pageRequest(args);
    const graph = ctx.loaders.citationGraph();
    const rows = await graph.citedBy(order).load({ paperId: paper.id, request });
    return toConnection(
      rows,
      request,
      (row) => {
        const { grp: _grp, sortKey: _sortKey, influential: _influential, intents: _intents, sources: _sources, ...citing } = row;
        ctx.loaders.paperById.prime(citing.id, citing);
        return edgeOf(citedByCursorOf(order, row), citing, row);
      },
      () => graph.inCatalog.load(paper.id),
    );
  },
  citationCount: (paper) => ({ paperId: paper.id }),
};

export const CitationCount: CitationCountResolvers = {
  inCatalog: ({ paperId }, _args, ctx) => ctx.loaders.citationGraph().inCatalog.load(paperId),
  async total({ paperId }, _args, ctx) {
    const [first] = await ctx.loaders.citationGraph().sourceCounts.load(paperId);
    return first ? { value: first.value, source: first.source, asOf: first.asOf } : null;
  },
  async totals({ paperId }, _args, ctx) {
    const counts = await ctx.loaders.citationGraph().sourceCounts.load(paperId);
    return counts.map(({ value, source, asOf }) => ({ value, source, asOf }));
  },
  async influential({ paperId }, _args, ctx) {
    const counts = await ctx.loaders.citationGraph().sourceCounts.load(paperId);
    return counts.find((count) => count.source === 'S2')?.influential ?? null;
  },
};

export const CitationPaper: CitationPaperResolvers = {
  __resolveType: (node) => (isExternal(node) ? 'ExternalPaper' : 'Paper'),
};

export const ExternalPaper: ExternalPaperResolvers = {
  title: (work) => work.title,
  year: (work) => work.year,
  arxivId: (work) => work.arxivId,
  doi: (work) => work.doi,
  semanticScholarId: (work) => (work.source === 'S2' ? work.externalId : null),
  openAlexId: (work) => (work.source === 'OPENALEX' ? work.externalId : null),
};

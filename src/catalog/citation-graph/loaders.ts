// The citation graph's loaders of a request: a page of papers asking for `references`,
// `citedBy` or `citationCount` costs one statement per field (per page shape: the same
// `first`, `after` and `orderBy`, which a field of a list has for every paper), not one per paper.
// Built per request, when first asked for (src/catalog/context.ts).
import DataLoader from 'dataloader';
import type { CitedByOrder } from '../../generated/graphql.ts';
import { counted, grouped } from '../../platform/db/batch.ts';
import type { Reader } from '../../platform/db/reader.ts';
import type { PageRequest } from '../../platform/pagination/connection.ts';
import { citedByPages, inCatalogCounts, referenceCounts, referencePages, sourceCounts, type CitingRow, type ReferenceRow, type SourceCountRow } from './reads.ts';

export interface PageKey {
  paperId: number;
  request: PageRequest;
}

export interface CitationGraphLoaders {
  references: DataLoader<PageKey, ReferenceRow[], string>;
  /** `columns`: 'listing' when the citing papers' fields need no more (selection.ts); such rows are never cached as papers. */
  citedBy: (order: CitedByOrder, columns: 'listing' | 'all') => DataLoader<PageKey, CitingRow[], string>;
  referenceCount: DataLoader<number, number>;
  inCatalog: DataLoader<number, number>;
  /** Each source's own counts of the paper, S2 first. */
  sourceCounts: DataLoader<number, SourceCountRow[]>;
}

const pageKey = ({ paperId, request }: PageKey) => `${paperId}:${request.take}:${request.cursor ?? ''}`;

/** Keys grouped by page shape (`take`, cursor): one statement each. */
function pages<R>(load: (paperIds: number[], request: PageRequest) => Promise<Map<number, R[]>>) {
  return new DataLoader<PageKey, R[], string>(
    async (keys) => {
      const shapes = new Map<string, PageKey[]>();
      for (const key of keys) {
        const shape = `${key.request.take}:${key.request.cursor ?? ''}`;
        const group = shapes.get(shape);
        if (group) group.push(key);
        else shapes.set(shape, [key]);
      }
      const found = new Map<string, R[]>();
      await Promise.all(
        [...shapes.values()].map(async (group) => {
          const request = group[0]!.request;
          const rows = await load([...new Set(group.map((key) => key.paperId))], request);
          for (const key of group) found.set(pageKey(key), rows.get(key.paperId) ?? []);
        }),
      );
      return keys.map((key) => found.get(pageKey(key)) ?? []);
    },
    { cacheKeyFn: pageKey },
  );
}

export function createCitationGraphLoaders(reader: Reader): CitationGraphLoaders {
  const citedBy = new Map<string, DataLoader<PageKey, CitingRow[], string>>();
  return {
    references: pages((ids, request) => referencePages(reader, ids, request)),
    citedBy: (order, columns) => {
      let loader = citedBy.get(`${order}:${columns}`);
      if (!loader) citedBy.set(`${order}:${columns}`, (loader = pages((ids, request) => citedByPages(reader, ids, order, request, columns))));
      return loader;
    },
    referenceCount: counted<number>((ids) => referenceCounts(reader, ids)),
    inCatalog: counted<number>((ids) => inCatalogCounts(reader, ids)),
    sourceCounts: grouped<number, SourceCountRow>((ids) => sourceCounts(reader, ids)),
  };
}

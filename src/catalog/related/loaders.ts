// The related-papers loader of a request: a page of papers asking for `related` costs one
// statement, not one per paper. One DataLoader per `first` asked in the request (a field's
// arguments are the same for every paper of a list, so that is one loader in practice), and per
// set of columns its papers' fields need (./reads.ts PaperColumns).
import DataLoader from 'dataloader';
import type { Reader } from '../../platform/db/reader.ts';
import type { EmbeddingPath } from '../../platform/embeddings/path.ts';
import { relatedPapers, type PaperColumns, type ScoredPaper } from './reads.ts';

export type RelatedLoader = (first: number, columns?: PaperColumns) => DataLoader<number, ScoredPaper[]>;

/** `path`: the database's embedding path (src/platform/embeddings/path.ts), null for term weights only. */
export function createRelatedLoader(reader: Reader, path: EmbeddingPath | null = null): RelatedLoader {
  const byShape = new Map<string, DataLoader<number, ScoredPaper[]>>();
  return (first, columns = 'all') => {
    let loader = byShape.get(`${first}:${columns}`);
    if (!loader) {
      loader = new DataLoader<number, ScoredPaper[]>(async (ids) => {
        const related = await relatedPapers(reader, [...new Set(ids)], first, path, columns);
        return ids.map((id) => related.get(id) ?? []);
      });
      byShape.set(`${first}:${columns}`, loader);
    }
    return loader;
  };
}

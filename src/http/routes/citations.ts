// GET /papers/<arXiv id>.bib: a paper's BibTeX entry, for `curl` and reference managers. The id
// may carry a version or be old-style (`/papers/hep-th/9901001.bib`). Hidden and unknown papers
// are the same 404: this is an anonymous read.
import type { Platform } from '../../platform/platform.ts';
import { plain, type FeedAnswer } from '../../catalog/feeds/catalog.ts';
import { normalizeArxivId } from '../../catalog/papers/arxiv-id.ts';
import { paperByArxivId, paperReads } from '../../catalog/papers/reads.ts';
import { citePapers } from '../../catalog/citations/resolvers.ts';

const PATH = /^\/papers\/(.{1,64})\.bib$/;

export async function answerBibtex(method: string, pathname: string, platform: Platform): Promise<FeedAnswer> {
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'This answers GET and HEAD', { allow: 'GET, HEAD' });
  let raw: string | undefined;
  try {
    raw = decodeURIComponent(PATH.exec(pathname)?.[1] ?? '');
  } catch {
    raw = undefined;
  }
  const arxivId = raw ? normalizeArxivId(raw) : null;
  if (!arxivId) return plain(404, 'No such paper: expected /papers/<arXiv id>.bib, e.g. /papers/2406.12345.bib');
  const reads = paperReads(platform);
  const paper = await paperByArxivId(reads, arxivId);
  if (!paper) return plain(404, 'No such paper');
  const body = await citePapers(reads.loaders, [paper], 'BIBTEX');
  return {
    status: 200,
    headers: {
      'content-type': 'application/x-bibtex; charset=utf-8',
      'content-disposition': `inline; filename="${arxivId.replace('/', '_')}.bib"`,
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    },
    ...(method === 'HEAD' ? {} : { body }),
  };
}

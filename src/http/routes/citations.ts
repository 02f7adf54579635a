// GET /papers/<arXiv id>.bib: a paper's BibTeX entry, for `curl` and reference managers. The id
// may carry a version or be old-style (`/papers/hep-th/9901001.bib`). Hidden and unknown papers
// are the same 404: this is an anonymous read. It pays like one paper.
import type { FastifyPluginAsync } from 'fastify';
import { citePapers } from '../../catalog/citations/cite.ts';
import { normalizeArxivId } from '../../catalog/papers/arxiv-id.ts';
import { paperByArxivId, paperReads } from '../../catalog/papers/reads.ts';
import type { Platform } from '../../platform/platform.ts';
import { ANY_METHOD, plain, send, type Answer } from '../answers.ts';

const PATH = /^\/papers\/(.{1,64})\.bib$/;

/** The arXiv id a path names, or null. */
function arxivIdOf(pathname: string): string | null {
  try {
    const raw = decodeURIComponent(PATH.exec(pathname)?.[1] ?? '');
    return raw ? normalizeArxivId(raw) : null;
  } catch {
    return null;
  }
}

async function bibtex(method: string, pathname: string, platform: Platform): Promise<Answer> {
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'This answers GET and HEAD', { allow: 'GET, HEAD' });
  const arxivId = arxivIdOf(pathname);
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

export const citationRoutes: FastifyPluginAsync<{ platform: Platform }> = async (app, { platform }) => {
  app.route({
    method: [...ANY_METHOD],
    url: '/papers/*',
    exposeHeadRoute: false,
    config: { rateLimit: { cost: 2 } },
    handler: async (request, reply) => send(reply, await bibtex(request.method, new URL(request.url, 'http://localhost').pathname, platform)),
  });
};

// importPapers: the curator's way to pull one paper or one day from the live sources, through
// the importer the CLI uses. Source addresses come from the configuration (HF_API_URL /
// ARXIV_API_URL, as for `npm run import`), so the resolver is built with them (src/graphql/schema.ts).
import type { SourcesConfig } from '../../config.ts';
import type { MutationResolvers } from '../../generated/graphql.ts';
import { truncate } from '../../platform/errors.ts';
import { normalizeArxivId } from '../papers/index.ts';
import { dayOf } from '../../platform/pagination/keys.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { importArxivQuery, importHfDays, type ImportSummary } from './index.ts';

function outcome(summary: ImportSummary) {
  if (!summary.ok) {
    // The importer's reason names the source and what was wrong, never database details.
    const reason = summary.rejected.map((source) => source.reason ?? 'rejected').join('; ');
    throw new UserErrors([userError(['input'], 'INVALID', `The source could not be imported: ${truncate(reason, 500)}`)]);
  }
  return summary;
}

export const importMutations = (sources: SourcesConfig): Pick<MutationResolvers, 'importPapers'> => ({
  importPapers: (_parent, { input }, ctx) =>
    payload({ paper: null, summary: null }, async () => {
      if ((input.arxivId == null) === (input.huggingFaceDate == null)) {
        throw new UserErrors([userError(['input'], 'INVALID', 'Give exactly one of arxivId and huggingFaceDate')]);
      }
      if (input.arxivId != null) {
        const arxivId = normalizeArxivId(input.arxivId);
        if (!arxivId) {
          throw new UserErrors([userError(['input', 'arxivId'], 'INVALID', `arxivId must look like 2406.12345 (optionally with a version, v2); got "${truncate(input.arxivId)}"`)]);
        }
        const summary = outcome(
          await importArxivQuery(ctx.db, `id:${arxivId}`, { baseUrl: sources.arxivApiUrl, maxResults: 1, pageSize: 1, events: ctx.events }),
        );
        const paper = await ctx.db.paper.findUnique({ where: { arxivId } });
        if (!paper) throw new UserErrors([userError(['input', 'arxivId'], 'NOT_FOUND', `arXiv has no paper ${arxivId}`)]);
        return { paper, summary };
      }
      const day = dayOf(input.huggingFaceDate!);
      const summary = outcome(await importHfDays(ctx.db, [day], { baseUrl: sources.hfApiUrl, events: ctx.events }));
      return { paper: null, summary };
    }),
});

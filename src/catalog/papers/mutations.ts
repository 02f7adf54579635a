// submitPaper and updatePaperLinks.
import type { MutationResolvers } from '../../generated/graphql.ts';
import type { Context } from '../context.ts';
import { isCurator } from '../users/index.ts';
import { aliasedAuthorIds } from '../authors/index.ts';
import { normalizeAuthorName } from '../authors/index.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { forbidden, truncate } from '../../platform/errors.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { githubRepoUrl, text, topicSlugs, webUrl } from '../../platform/validation.ts';
import { normalizeArxivId } from './arxiv-id.ts';
import { paperById } from './reads.ts';
import { canSee } from './visibility.ts';
import { featuredEvents, paperUpdatedEvent } from './events.ts';
import { writeOutbox } from '../../platform/events/outbox.ts';

export const LIMITS = { title: 500, abstract: 10_000, authors: 200, authorName: 200, topics: 20 } as const;

function todayUtc(): Date {
  return new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
}

/** Ends the mutation with DUPLICATE when the paper exists; returns when it does not. */
async function failIfDuplicate(ctx: Context, arxivId: string): Promise<void> {
  const existing = await ctx.db.paper.findUnique({ where: { arxivId } });
  if (!existing) return;
  // A hidden paper is not revealed to whoever is not allowed to see it.
  const visible = canSee(ctx.viewer, existing);
  throw new UserErrors([userError(['input', 'arxivId'], 'DUPLICATE', `The catalog already has arXiv paper ${arxivId}`, visible ? existing : undefined)]);
}


export const Mutation: Pick<MutationResolvers, 'submitPaper' | 'updatePaperLinks'> = {
  submitPaper: (_parent, { input }, ctx) =>
    payload({ paper: null }, async () => {
      const arxivId = normalizeArxivId(input.arxivId);
      if (!arxivId) {
        throw new UserErrors([userError(['input', 'arxivId'], 'INVALID', `arxivId must look like 2406.12345 (optionally with a version, v2); got "${truncate(input.arxivId)}"`)]);
      }
      const title = text(input.title, ['input', 'title'], { max: LIMITS.title });
      const abstract = text(input.abstract, ['input', 'abstract'], { max: LIMITS.abstract, multiline: true });
      if (input.authors.length < 1 || input.authors.length > LIMITS.authors) {
        const code = input.authors.length < 1 ? 'INVALID' : 'TOO_LONG';
        throw new UserErrors([userError(['input', 'authors'], code, `authors must list 1 to ${LIMITS.authors} names; got ${input.authors.length}`)]);
      }
      const authors = input.authors.map((name, i) => {
        const label = `authors[${i}]`;
        const clean = text(name, ['input', 'authors', String(i)], { max: LIMITS.authorName, label });
        if (!normalizeAuthorName(clean)) {
          throw new UserErrors([userError(['input', 'authors', String(i)], 'INVALID', `${label} must contain a letter or digit; got "${truncate(clean)}"`)]);
        }
        return clean;
      });
      const githubRepo = input.githubRepo == null ? null : githubRepoUrl(input.githubRepo, ['input', 'githubRepo']);
      const projectPage = input.projectPage == null ? null : webUrl(input.projectPage, ['input', 'projectPage']);
      const slugs = topicSlugs(input.topics, ['input', 'topics'], LIMITS.topics);
      const topics = await ctx.db.topic.findMany({ where: { slug: { in: slugs } } });
      const missing = slugs.filter((slug) => !topics.some((topic) => topic.slug === slug));
      if (missing.length) {
        throw new UserErrors([userError(['input', 'topics'], 'NOT_FOUND', `No topic has the slug ${missing.map((s) => `"${truncate(s)}"`).join(', ')}`)]);
      }
      await failIfDuplicate(ctx, arxivId);

      try {
        const paper = await ctx.db.$transaction(async (tx) => {
          // Authors shared with a concurrent submission: skipDuplicates lets both insert, then
          // both read the same rows (an upsert would fail one of them on the unique key).
          const keys = authors.map((name) => ({ name, normalizedName: normalizeAuthorName(name) }));
          // A name of an author merged away leads to the survivor (src/catalog/authors/aliases.ts).
          const idOf = await aliasedAuthorIds(tx, keys.map((k) => k.normalizedName));
          await tx.author.createMany({ data: keys.filter((k) => !idOf.has(k.normalizedName)), skipDuplicates: true });
          const rows = await tx.author.findMany({ where: { normalizedName: { in: keys.map((k) => k.normalizedName) } } });
          for (const row of rows) idOf.set(row.normalizedName, row.id);
          const authorIds = keys.map((k) => idOf.get(k.normalizedName)!);
          const created = await tx.paper.create({
            data: {
              arxivId,
              title,
              abstract,
              publishedAt: input.publishedAt ?? new Date(),
              featuredOn: input.featuredOn ?? todayUtc(),
              githubRepo,
              projectPage,
              submittedById: ctx.viewer!.id,
              authors: { create: authorIds.map((authorId, position) => ({ authorId, position })) },
              topics: { create: topics.map((topic) => ({ topicId: topic.id })) },
            },
          });
          // The day's list changed: its webhook event commits with the paper (src/platform/events/outbox.ts).
          await writeOutbox(tx, await featuredEvents(tx, [created.id]));
          return created;
        });
        ctx.events?.paperFeatured(paper, topics.map((topic) => topic.slug));
        return { paper };
      } catch (error) {
        // Two submissions of the same paper at once: the unique index decides, the loser is told.
        if (isUniqueViolation(error)) await failIfDuplicate(ctx, arxivId);
        throw error;
      }
    }),

  updatePaperLinks: (_parent, { input }, ctx) =>
    payload({ paper: null }, async () => {
      const paperId = fromGlobalIdOf('Paper', input.paperId, 'paperId');
      const paper = await paperById(ctx, paperId);
      if (!paper) throw new UserErrors([userError(['input', 'paperId'], 'NOT_FOUND', 'No paper has this id')]);
      if (paper.submittedById !== ctx.viewer!.id && !isCurator(ctx.viewer)) {
        throw forbidden('Only the paper’s submitter, curators and admins can change its links');
      }
      const data: { githubRepo?: string | null; projectPage?: string | null } = {};
      // Absent: unchanged. null: cleared.
      if (input.githubRepo !== undefined) data.githubRepo = input.githubRepo === null ? null : githubRepoUrl(input.githubRepo, ['input', 'githubRepo']);
      if (input.projectPage !== undefined) data.projectPage = input.projectPage === null ? null : webUrl(input.projectPage, ['input', 'projectPage']);
      const [updated] = await ctx.db.$transaction([
        ctx.db.paper.update({ where: { id: paperId }, data }),
        ctx.db.curationEvent.create({ data: { actorId: ctx.viewer!.id, action: 'paper.links', paperId, details: data } }),
        writeOutbox(ctx.db, paperUpdatedEvent(paper, Object.keys(data))),
      ]);
      ctx.events?.paperUpdated(updated);
      return { paper: updated };
    }),
};

// Curators' changes to papers: hide/unhide (soft and reversible) and topic tags. Every change
// is written together with its CurationEvent (who, what, when) in one transaction, and once
// committed is announced as `paperUpdated`, as votes are (subscribers who may not see a hidden
// paper are filtered out in src/catalog/papers/subscriptions.ts). A call that changes nothing is silent.
import type { MutationResolvers } from '../../generated/graphql.ts';
import type { Context } from '../context.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { paperById, paperHiddenEvent, paperUnhiddenEvent, paperUpdatedEvent } from '../papers/index.ts';
import { writeOutbox } from '../../platform/events/outbox.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { text } from '../../platform/validation.ts';

async function existingPaper(ctx: Context, globalId: string) {
  const paper = await paperById(ctx, fromGlobalIdOf('Paper', globalId, 'paperId'));
  if (!paper) throw new UserErrors([userError(['paperId'], 'NOT_FOUND', 'No paper has this id')]);
  return paper;
}

async function existingTopic(ctx: Context, globalId: string) {
  const topic = await ctx.loaders.topicById.load(fromGlobalIdOf('Topic', globalId, 'topicId'));
  if (!topic) throw new UserErrors([userError(['topicId'], 'NOT_FOUND', 'No topic has this id')]);
  return topic;
}

export const Mutation: Pick<MutationResolvers, 'hidePaper' | 'unhidePaper' | 'tagPaper' | 'untagPaper'> = {
  hidePaper: (_parent, { paperId, reason }, ctx) =>
    payload({ paper: null }, async () => {
      const paper = await existingPaper(ctx, paperId);
      const why = reason == null ? null : text(reason, ['reason'], { max: 500 });
      if (paper.hiddenAt) return { paper }; // already hidden: nothing to record
      const [updated] = await ctx.db.$transaction([
        ctx.db.paper.update({ where: { id: paper.id }, data: { hiddenAt: new Date(), hiddenById: ctx.viewer!.id, hiddenReason: why } }),
        ctx.db.curationEvent.create({ data: { actorId: ctx.viewer!.id, action: 'paper.hide', paperId: paper.id, details: { reason: why } } }),
        writeOutbox(ctx.db, [paperHiddenEvent(paper)]),
      ]);
      ctx.events?.paperUpdated(updated);
      return { paper: updated };
    }),

  unhidePaper: (_parent, { paperId }, ctx) =>
    payload({ paper: null }, async () => {
      const paper = await existingPaper(ctx, paperId);
      if (!paper.hiddenAt) return { paper };
      const [updated] = await ctx.db.$transaction([
        ctx.db.paper.update({ where: { id: paper.id }, data: { hiddenAt: null, hiddenById: null, hiddenReason: null } }),
        ctx.db.curationEvent.create({ data: { actorId: ctx.viewer!.id, action: 'paper.unhide', paperId: paper.id } }),
        writeOutbox(ctx.db, [paperUnhiddenEvent(paper)]),
      ]);
      ctx.events?.paperUpdated(updated);
      return { paper: updated };
    }),

  tagPaper: (_parent, { paperId, topicId }, ctx) =>
    payload({ paper: null }, async () => {
      const [paper, topic] = [await existingPaper(ctx, paperId), await existingTopic(ctx, topicId)];
      // Only a change is recorded; the transaction uses `tx` alone (see src/platform/db/embedded.ts).
      const changed = await ctx.db.$transaction(async (tx) => {
        const { count } = await tx.paperTopic.createMany({ data: [{ paperId: paper.id, topicId: topic.id }], skipDuplicates: true });
        if (count) {
          await tx.curationEvent.create({ data: { actorId: ctx.viewer!.id, action: 'paper.tag', paperId: paper.id, topicId: topic.id } });
          await writeOutbox(tx, paperUpdatedEvent(paper, ['topics']));
        }
        return count > 0;
      });
      ctx.loaders.topicsByPaperId.clear(paper.id);
      if (changed) ctx.events?.paperUpdated(paper);
      return { paper };
    }),

  untagPaper: (_parent, { paperId, topicId }, ctx) =>
    payload({ paper: null }, async () => {
      const [paper, topic] = [await existingPaper(ctx, paperId), await existingTopic(ctx, topicId)];
      const changed = await ctx.db.$transaction(async (tx) => {
        const { count } = await tx.paperTopic.deleteMany({ where: { paperId: paper.id, topicId: topic.id } });
        if (count) {
          await tx.curationEvent.create({ data: { actorId: ctx.viewer!.id, action: 'paper.untag', paperId: paper.id, topicId: topic.id } });
          await writeOutbox(tx, paperUpdatedEvent(paper, ['topics']));
        }
        return count > 0;
      });
      ctx.loaders.topicsByPaperId.clear(paper.id);
      if (changed) ctx.events?.paperUpdated(paper);
      return { paper };
    }),
};

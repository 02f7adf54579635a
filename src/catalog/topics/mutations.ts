// Curators create, rename and nest topics.
import type { MutationResolvers } from '../../generated/graphql.ts';
import type { Context } from '../context.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { truncate } from '../../platform/errors.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { text } from '../../platform/validation.ts';
import { topicSlug } from './slug.ts';

async function parentTopic(ctx: Context, globalId: string) {
  const parent = await ctx.db.topic.findUnique({ where: { id: fromGlobalIdOf('Topic', globalId, 'parentId') } });
  if (!parent) throw new UserErrors([userError(['input', 'parentId'], 'NOT_FOUND', 'No topic has this parentId')]);
  return parent;
}

async function duplicateSlug(ctx: Context, slug: string): Promise<never> {
  const existing = await ctx.db.topic.findUnique({ where: { slug } });
  throw new UserErrors([userError(['input', 'slug'], 'DUPLICATE', `A topic already has the slug "${slug}"`, existing ?? undefined)]);
}

export const Mutation: Pick<MutationResolvers, 'createTopic' | 'updateTopic'> = {
  createTopic: (_parent, { input }, ctx) =>
    payload({ topic: null }, async () => {
      const name = text(input.name, ['input', 'name'], { max: 100 });
      const slug = topicSlug(input.slug ?? name);
      if (input.slug != null && slug !== input.slug.trim()) {
        throw new UserErrors([userError(['input', 'slug'], 'INVALID', `slug must be lower-case words of letters and digits joined by dashes, e.g. "computer-vision"; got "${truncate(input.slug)}"`)]);
      }
      if (!slug) {
        throw new UserErrors([userError(['input', input.slug == null ? 'name' : 'slug'], 'INVALID', `A slug needs letters or digits: give the name some, or pass a slug; got "${truncate(input.slug ?? name)}"`)]);
      }
      const parent = input.parentId == null ? null : await parentTopic(ctx, input.parentId);
      if (await ctx.db.topic.findUnique({ where: { slug }, select: { id: true } })) await duplicateSlug(ctx, slug);
      try {
        // The topic and its CurationEvent in one statement's transaction (a nested write): a
        // connection lost in between cannot leave a topic without its record.
        const topic = await ctx.db.topic.create({
          data: { slug, name, parentId: parent?.id ?? null, curationEvents: { create: { actorId: ctx.viewer!.id, action: 'topic.create', details: { slug, name } } } },
        });
        return { topic };
      } catch (error) {
        if (isUniqueViolation(error)) await duplicateSlug(ctx, slug);
        throw error;
      }
    }),

  updateTopic: (_parent, { input }, ctx) =>
    payload({ topic: null }, async () => {
      const topicId = fromGlobalIdOf('Topic', input.topicId, 'topicId');
      const topic = await ctx.db.topic.findUnique({ where: { id: topicId } });
      if (!topic) throw new UserErrors([userError(['input', 'topicId'], 'NOT_FOUND', 'No topic has this topicId')]);
      const data: { name?: string; parentId?: number | null } = {};
      if (input.name != null) data.name = text(input.name, ['input', 'name'], { max: 100 });
      if (input.parentId === null) data.parentId = null;
      else if (input.parentId !== undefined) {
        const parent = await parentTopic(ctx, input.parentId);
        // Walk up from the new parent: meeting the topic itself would make a cycle. (The visited
        // set only guards against a cycle already in the data.)
        const visited = new Set<number>();
        let ancestor: typeof parent | null = parent;
        while (ancestor && !visited.has(ancestor.id)) {
          if (ancestor.id === topicId) {
            throw new UserErrors([userError(['input', 'parentId'], 'CYCLE', 'A topic cannot be nested under itself or its own sub-topics')]);
          }
          visited.add(ancestor.id);
          ancestor = ancestor.parentId === null ? null : await ctx.db.topic.findUnique({ where: { id: ancestor.parentId } });
        }
        data.parentId = parent.id;
      }
      const [updated] = await ctx.db.$transaction([
        ctx.db.topic.update({ where: { id: topicId }, data }),
        ctx.db.curationEvent.create({ data: { actorId: ctx.viewer!.id, action: 'topic.update', topicId, details: data } }),
      ]);
      return { topic: updated };
    }),
};

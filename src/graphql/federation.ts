// The catalog as a Federation 2 subgraph (README, "Integrate"): how a gateway's representation
// of an entity (`{ __typename, ...one @key of schema.graphql }`) becomes a row, and the
// `_entities` root field that answers a list of them. `_service { sdl }` and the federation
// types come from @apollo/subgraph (src/graphql/schema.ts).
//
// A read path like any other: `_entities` resolves every representation in the same tick, so the
// keys of one type meet in one batch of its loader (100 papers by arXiv id: one statement), and
// the cost model prices it per representation (src/graphql/limits/cost.ts).
//
// DANGER: the same rules as `node(id:)` (./node.ts). A hidden paper exists for curators only
// (src/catalog/papers/visibility.ts), a private collection for its owner only
// (src/catalog/collections/reads.ts): for anyone else the representation resolves to null,
// exactly as an unknown one does. A gateway forwards whose request it is (or nobody's).
import { entitiesResolver } from '@apollo/subgraph';
import type { GraphQLResolveInfo } from 'graphql';
import type { AuthorResolvers, CollectionResolvers, PaperResolvers, TopicResolvers } from '../generated/graphql.ts';
import type { Context } from '../catalog/context.ts';
import { badInput, truncate } from '../platform/errors.ts';
import { fromGlobalId, type NodeType } from '../platform/global-id.ts';
import { normalizeArxivId } from '../catalog/papers/index.ts';
import { paperByArxivIdInBatch, paperById } from '../catalog/papers/reads.ts';
import { collectionFor } from '../catalog/collections/index.ts';

/** The types with a @key in schema.graphql: the members of `_Entity`. */
const ENTITY_TYPES: ReadonlySet<string> = new Set(['Paper', 'Author', 'Topic', 'Collection'] satisfies NodeType[]);

/** The database id of a representation's global `id` when it is one of `type`'s; else null (no such entity). */
function idOf(type: NodeType, globalId: unknown): number | null {
  if (typeof globalId !== 'string') throw badInput(`A ${type} representation needs its key as a string; got ${typeof globalId}`, 'representations');
  const decoded = fromGlobalId(globalId, 'representations');
  return decoded.type === type ? decoded.id : null;
}

export const Paper: Pick<PaperResolvers, '__resolveReference'> = {
  async __resolveReference(reference, ctx) {
    if ('id' in reference && reference.id !== undefined) {
      const id = idOf('Paper', reference.id);
      return id === null ? null : paperById(ctx, id);
    }
    const arxivId = (reference as { arxivId?: unknown }).arxivId;
    if (typeof arxivId !== 'string') throw badInput('A Paper representation needs its id or its arxivId', 'representations');
    const normalized = normalizeArxivId(arxivId);
    return normalized === null ? null : paperByArxivIdInBatch(ctx, normalized);
  },
};

export const Author: Pick<AuthorResolvers, '__resolveReference'> = {
  async __resolveReference(reference, ctx) {
    // Also the id of an author merged into another: then the survivor, as `node(id:)` answers.
    const id = idOf('Author', reference.id);
    return id === null ? null : ctx.loaders.authorById.load(id);
  },
};

export const Topic: Pick<TopicResolvers, '__resolveReference'> = {
  async __resolveReference(reference, ctx) {
    if (typeof reference.slug !== 'string') throw badInput('A Topic representation needs its slug', 'representations');
    return ctx.loaders.topicBySlug.load(reference.slug.trim().toLowerCase());
  },
};

export const Collection: Pick<CollectionResolvers, '__resolveReference'> = {
  async __resolveReference(reference, ctx) {
    const id = idOf('Collection', reference.id);
    return id === null ? null : collectionFor(ctx, id);
  },
};

/** Every entity's reference resolver, by type: recorded on the schema by src/graphql/schema.ts. */
export const entities = { Paper, Author, Topic, Collection };

export const Query = {
  /**
   * The entities of `representations`, in order, null where none is visible. A representation
   * of a type that is not an entity here is refused (BAD_USER_INPUT) before anything is read,
   * rather than echoed back as the type it claims to be.
   */
  _entities(_parent: unknown, { representations }: { representations: readonly unknown[] }, ctx: Context, info: GraphQLResolveInfo) {
    representations.forEach((representation, i) => {
      const typename = typeof representation === 'object' && representation !== null ? (representation as { __typename?: unknown }).__typename : undefined;
      if (typeof typename !== 'string' || !ENTITY_TYPES.has(typename)) {
        const got = typeof typename === 'string' ? `"${truncate(typename)}"` : 'none';
        throw badInput(`representations[${i}] must have a __typename of ${[...ENTITY_TYPES].join(', ')}; got ${got}`, 'representations');
      }
    });
    return entitiesResolver({ representations: representations as { __typename: string }[], context: ctx, info });
  },
};

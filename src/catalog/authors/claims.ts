// Author claims: a user says "I am this author" with an ORCID iD; a curator approves or rejects.
// Approval writes the claim, the author's orcid/claimedBy and a CurationEvent in one
// transaction. Invariants:
// - one AuthorClaim row per (user, author) (unique key): a pending or approved claim cannot be
//   sent twice; a rejected one is sent again by moving the same row back to PENDING;
// - an author has at most one approved claim: approval sets Author.claimedById only where it is
//   still null, in the same statement, so two curators approving two claims at once cannot
//   both win;
// - nobody approves their own claim, whatever their role: a curator who is also an author waits
//   for another curator like everyone else (FORBIDDEN; a claim's claimant never changes, so the
//   check before the transaction cannot go stale).
//
// DANGER: who sees a claim. The claimant and curators do (ORCID iDs of pending or rejected
// claims, and rejection reasons, are not public); once approved, the ORCID iD is public on the
// author. `visibleClaim` is the one place that decides it.
import type { AuthorClaim as AuthorClaimRow } from '../../generated/prisma/client.ts';
import type { AuthorClaimResolvers, MutationResolvers, QueryResolvers, UserResolvers } from '../../generated/graphql.ts';
import type { Context } from '../context.ts';
import { isCurator } from '../users/index.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { badInput, forbidden, truncate } from '../../platform/errors.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { decodeCursor, encodeCursor, pageRequest, toConnection, type Connection } from '../../platform/pagination/connection.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { text } from '../../platform/validation.ts';
import { liveAuthorId } from './aliases.ts';
import { checkOrcid } from './orcid.ts';

const ORDER = 'author-claims-pending';

/** A claim as this viewer may see it: its claimant's and curators' only. */
export async function visibleClaim(ctx: Context, id: number): Promise<AuthorClaimRow | null> {
  if (!ctx.viewer) return null;
  const claim = await ctx.db.authorClaim.findUnique({ where: { id } });
  return claim && (claim.userId === ctx.viewer.id || isCurator(ctx.viewer)) ? claim : null;
}

async function claimToDecide(ctx: Context, globalId: string): Promise<AuthorClaimRow> {
  const claim = await ctx.db.authorClaim.findUnique({ where: { id: fromGlobalIdOf('AuthorClaim', globalId, 'claimId') } });
  if (!claim) throw new UserErrors([userError(['claimId'], 'NOT_FOUND', 'No author claim has this id')]);
  if (claim.status !== 'PENDING') {
    throw new UserErrors([userError(['claimId'], 'INVALID', `Only a pending claim can be answered; this one is ${claim.status}`)]);
  }
  return claim;
}

const notPending = (claim: AuthorClaimRow) =>
  new UserErrors([userError(['claimId'], 'INVALID', `Only a pending claim can be answered; this one was answered meanwhile (claim ${claim.id})`)]);

export const Query: Pick<QueryResolvers, 'pendingAuthorClaims'> = {
  /** Oldest first (by id: a claim sent again keeps its place). Keyset on id. */
  async pendingAuthorClaims(_parent, args, ctx): Promise<Connection<AuthorClaimRow>> {
    const request = pageRequest(args);
    const forward = request.direction === 'forward';
    const cursorArg = forward ? 'after' : 'before';
    let beyond = {};
    if (request.cursor !== null) {
      const [id] = decodeCursor(ORDER, request.cursor, 1, cursorArg);
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw badInput(`${cursorArg} is not a cursor of this list`, cursorArg);
      beyond = { id: forward ? { gt: id } : { lt: id } };
    }
    const rows = await ctx.db.authorClaim.findMany({
      where: { status: 'PENDING', ...beyond },
      orderBy: { id: forward ? 'asc' : 'desc' },
      take: request.take + 1,
    });
    return toConnection(
      rows,
      request,
      (node) => ({ cursor: encodeCursor(ORDER, [node.id]), node }),
      () => ctx.db.authorClaim.count({ where: { status: 'PENDING' } }),
    );
  },
};

export const Mutation: Pick<MutationResolvers, 'claimAuthor' | 'approveAuthorClaim' | 'rejectAuthorClaim'> = {
  claimAuthor: (_parent, { input }, ctx) =>
    payload({ claim: null }, async () => {
      const viewer = ctx.viewer!;
      const checked = checkOrcid(input.orcid);
      if (!checked.ok) {
        throw new UserErrors([userError(['input', 'orcid'], 'INVALID', `orcid: ${checked.problem}; got "${truncate(input.orcid)}"`)]);
      }
      const authorId = await liveAuthorId(ctx.db, fromGlobalIdOf('Author', input.authorId, 'input.authorId'));
      const author = authorId === null ? null : await ctx.db.author.findUnique({ where: { id: authorId } });
      if (!author) throw new UserErrors([userError(['input', 'authorId'], 'NOT_FOUND', 'No author has this id')]);
      if (author.claimedById !== null) {
        const who = author.claimedById === viewer.id ? 'you' : 'another user';
        throw new UserErrors([userError(['input', 'authorId'], 'ALREADY_CLAIMED', `${author.name} is already claimed (by ${who}, approved by a curator)`)]);
      }
      const mine = await ctx.db.authorClaim.findUnique({ where: { userId_authorId: { userId: viewer.id, authorId: author.id } } });
      if (mine && mine.status !== 'REJECTED') {
        throw new UserErrors([userError(['input', 'authorId'], 'DUPLICATE', `You already claimed ${author.name} (claim ${mine.status}): one claim per user and author`)]);
      }
      try {
        const claim = mine
          ? // Sent again after a rejection: the same row, back to PENDING, if still REJECTED.
            await ctx.db.authorClaim.update({
              where: { id: mine.id, status: 'REJECTED' },
              data: { orcid: checked.orcid, status: 'PENDING', reason: null, decidedById: null, decidedAt: null },
            })
          : await ctx.db.authorClaim.create({ data: { userId: viewer.id, authorId: author.id, orcid: checked.orcid } });
        return { claim };
      } catch (error) {
        // Two claims sent at once by one user: the unique key keeps one.
        if (isUniqueViolation(error) || (error as { code?: unknown }).code === 'P2025') {
          throw new UserErrors([userError(['input', 'authorId'], 'DUPLICATE', `You already claimed ${author.name}: one claim per user and author`)]);
        }
        throw error;
      }
    }),

  approveAuthorClaim: (_parent, { claimId }, ctx) =>
    payload({ claim: null }, async () => {
      const pending = await claimToDecide(ctx, claimId);
      if (pending.userId === ctx.viewer!.id) {
        throw forbidden('You cannot approve your own author claim: another curator or an admin must decide it');
      }
      const now = new Date();
      const claim = await ctx.db.$transaction(async (tx) => {
        // Both guards in the statements themselves: the claim still pending, the author unclaimed.
        const decided = await tx.authorClaim.updateMany({
          where: { id: pending.id, status: 'PENDING' },
          data: { status: 'APPROVED', decidedById: ctx.viewer!.id, decidedAt: now },
        });
        if (decided.count === 0) throw notPending(pending);
        const claimed = await tx.author.updateMany({
          where: { id: pending.authorId, claimedById: null },
          data: { orcid: pending.orcid, claimedById: pending.userId },
        });
        if (claimed.count === 0) {
          throw new UserErrors([userError(['claimId'], 'ALREADY_CLAIMED', 'The author is already claimed: reject this claim, or merge the authors if they are one person')]);
        }
        await tx.curationEvent.create({
          data: { actorId: ctx.viewer!.id, action: 'author.claim.approve', authorId: pending.authorId, details: { claimId: pending.id, userId: pending.userId, orcid: pending.orcid } },
        });
        return tx.authorClaim.findUniqueOrThrow({ where: { id: pending.id } });
      });
      ctx.loaders.authorIdentityById.clear(claim.authorId);
      return { claim };
    }),

  rejectAuthorClaim: (_parent, { claimId, reason }, ctx) =>
    payload({ claim: null }, async () => {
      const why = text(reason, ['reason'], { max: 500 });
      const pending = await claimToDecide(ctx, claimId);
      const claim = await ctx.db.$transaction(async (tx) => {
        const decided = await tx.authorClaim.updateMany({
          where: { id: pending.id, status: 'PENDING' },
          data: { status: 'REJECTED', reason: why, decidedById: ctx.viewer!.id, decidedAt: new Date() },
        });
        if (decided.count === 0) throw notPending(pending);
        await tx.curationEvent.create({
          data: { actorId: ctx.viewer!.id, action: 'author.claim.reject', authorId: pending.authorId, details: { claimId: pending.id, userId: pending.userId, reason: why } },
        });
        return tx.authorClaim.findUniqueOrThrow({ where: { id: pending.id } });
      });
      return { claim };
    }),
};

export const AuthorClaim: AuthorClaimResolvers = {
  id: (claim) => toGlobalId('AuthorClaim', claim.id),
  author: (claim, _args, ctx) => ctx.loaders.authorById.load(claim.authorId).then((author) => author!),
  user: (claim, _args, ctx) => ctx.loaders.userById.load(claim.userId).then((user) => user!),
  decidedBy: (claim, _args, ctx) => (claim.decidedById === null ? null : ctx.loaders.userById.load(claim.decidedById)),
};

export const User: Pick<UserResolvers, 'authorClaims'> = {
  // Only the user themself: a claim's ORCID iD and rejection reason are not public.
  authorClaims: (user, _args, ctx) =>
    ctx.viewer?.id === user.id ? ctx.db.authorClaim.findMany({ where: { userId: user.id }, orderBy: { id: 'desc' }, take: 100 }) : null,
};

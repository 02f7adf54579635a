import type { ApiTokenResolvers, MutationResolvers, QueryResolvers, UserResolvers } from '../../generated/graphql.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { text } from '../../platform/validation.ts';
import { generateToken } from './tokens.ts';

const MAX_ACTIVE_TOKENS = 50;

export const Query: Pick<QueryResolvers, 'viewer'> = {
  viewer: (_parent, _args, ctx) => ctx.viewer,
};

export const User: Omit<UserResolvers, 'upvotedPapers'> = {
  id: (user) => toGlobalId('User', user.id),
  // Tokens are the user's own business: anyone else, admins included, gets null.
  apiTokens: (user, _args, ctx) =>
    ctx.viewer?.id === user.id ? ctx.db.apiToken.findMany({ where: { userId: user.id }, orderBy: { id: 'asc' } }) : null,
};

export const ApiToken: ApiTokenResolvers = {
  id: (token) => toGlobalId('ApiToken', token.id),
};

export const Mutation: Pick<MutationResolvers, 'createApiToken' | 'revokeApiToken'> = {
  createApiToken: (_parent, { name }, ctx) =>
    payload({ token: null, apiToken: null }, async () => {
      const label = text(name, ['name'], { max: 100 });
      const active = await ctx.db.apiToken.count({ where: { userId: ctx.viewer!.id, revokedAt: null } });
      if (active >= MAX_ACTIVE_TOKENS) {
        throw new UserErrors([userError(null, 'INVALID', `You have ${active} active tokens, the most allowed: revoke one first`)]);
      }
      const { token, tokenHash, prefix } = generateToken();
      const apiToken = await ctx.db.apiToken.create({ data: { userId: ctx.viewer!.id, name: label, tokenHash, prefix } });
      return { token, apiToken };
    }),

  revokeApiToken: (_parent, { id }, ctx) =>
    payload({ apiToken: null }, async () => {
      const tokenId = fromGlobalIdOf('ApiToken', id, 'id');
      const token = await ctx.db.apiToken.findUnique({ where: { id: tokenId } });
      // Someone else's token is "not found": its existence is not the caller's to learn.
      if (!token || token.userId !== ctx.viewer!.id) throw new UserErrors([userError(['id'], 'NOT_FOUND', 'You have no token with this id')]);
      if (token.revokedAt) return { apiToken: token };
      const revoked = await ctx.db.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
      // Live connections opened with it close now, not when they next reconnect.
      ctx.events?.tokenRevoked(revoked.tokenHash);
      return { apiToken: revoked };
    }),
};

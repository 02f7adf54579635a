import type { UserResolvers } from '../generated/graphql.ts';
import { toGlobalId } from '../node/global-id.ts';

export const User: UserResolvers = {
  id: (user) => toGlobalId('User', user.id),
};

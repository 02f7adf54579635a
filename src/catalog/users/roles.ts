// What a user's role allows, decided here for every layer: the root fields' access decisions
// (src/graphql/access.ts) and the field-level rules beside the domains' resolvers (who sees a
// hidden paper or comment, who may edit a paper's links) use these same checks.
//
// DANGER: a wrong answer here exposes or blocks whole operations.
import type { User } from '../../generated/prisma/client.ts';
import { forbidden, unauthenticated } from '../../platform/errors.ts';

export type Access = 'public' | 'signedIn' | 'curator' | 'admin';

export function isCurator(user: User | null): boolean {
  return user?.role === 'CURATOR' || user?.role === 'ADMIN';
}

/** Throws unless `viewer` may use a field with this access decision. */
export function checkAccess(access: Access, viewer: User | null): void {
  switch (access) {
    case 'public':
      return;
    case 'signedIn':
      if (!viewer) throw unauthenticated();
      return;
    case 'curator':
      if (!viewer) throw unauthenticated();
      if (!isCurator(viewer)) throw forbidden('This needs the curator or admin role');
      return;
    case 'admin':
      if (!viewer) throw unauthenticated();
      if (viewer.role !== 'ADMIN') throw forbidden('This needs the admin role');
      return;
    default: {
      const unreachable: never = access;
      throw new Error(`unknown access decision ${String(unreachable)}`);
    }
  }
}

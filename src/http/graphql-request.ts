// The one link between a GraphQL operation and the HTTP request that carries it: Apollo plugins
// (the rate limit, the request log) see only the operation's context, and find the request
// here. Nothing is copied back and forth; each concern reads what it needs from the request.
//
// A symbol property rather than a WeakMap keyed by the context: Apollo hands plugins a shallow
// copy of the context the integration built, and a copy keeps its own symbol properties.
import type { FastifyRequest } from 'fastify';

const REQUEST = Symbol('http request');

/** Marks `context` as the context of `request`'s operation; returns it. */
export function bindRequest<C extends object>(context: C, request: FastifyRequest): C {
  Object.defineProperty(context, REQUEST, { value: request, enumerable: true });
  return context;
}

/** The HTTP request of an operation; undefined outside HTTP (executeOperation, WebSocket). */
export function requestOf(context: object): FastifyRequest | undefined {
  return (context as { [REQUEST]?: FastifyRequest })[REQUEST];
}

// Decorator that makes every read pay a simulated upstream latency before it reaches the store.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page, ReadContext, Store } from '../data/store.ts';

export type Sleep = (ms: number) => Promise<unknown>;

/** Wraps the five read methods; writes and credentials go straight through. */
export function withLatency(inner: Store, drawMs: () => number, wait: Sleep = sleep): Store {
  const delayed = async <T>(read: () => Promise<T>): Promise<T> => {
    const ms = drawMs();
    if (ms > 0) await wait(ms);
    return read();
  };
  return {
    ...bindAll(inner),
    listUsers: (page: Page, ctx?: ReadContext) => delayed(() => inner.listUsers(page, ctx)),
    getUser: (id: number, ctx?: ReadContext) => delayed(() => inner.getUser(id, ctx)),
    searchUsers: (q: string, limit: number, ctx?: ReadContext) => delayed(() => inner.searchUsers(q, limit, ctx)),
    listTeams: (page: Page, ctx?: ReadContext) => delayed(() => inner.listTeams(page, ctx)),
    getTeam: (id: number, ctx?: ReadContext) => delayed(() => inner.getTeam(id, ctx)),
  };
}

/** The Store methods bound to their object, so a decorator can spread them. */
export function bindAll(store: Store): Store {
  return {
    listUsers: store.listUsers.bind(store),
    getUser: store.getUser.bind(store),
    searchUsers: store.searchUsers.bind(store),
    createUser: store.createUser.bind(store),
    updateUser: store.updateUser.bind(store),
    deleteUser: store.deleteUser.bind(store),
    findCredentials: store.findCredentials.bind(store),
    listTeams: store.listTeams.bind(store),
    getTeam: store.getTeam.bind(store),
    createTeam: store.createTeam.bind(store),
    addMember: store.addMember.bind(store),
    ping: store.ping.bind(store),
    close: store.close.bind(store),
  };
}

// The generate_report work function and the task view, without Redis: data in, data out.
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../sut/data/memory-store.ts';
import type { Member } from '../../../sut/data/store.ts';
import { createReportWork, summarizeMembers } from '../../../sut/jobs/report.ts';
import { toTaskView } from '../../../sut/jobs/view.ts';

const member = (userId: number, role: Member['role'], joinedAt: string): Member => ({ userId, role, joinedAt });

describe('summarizeMembers', () => {
  it('counts members by role and picks the newest (a tie goes to the higher user id)', () => {
    const summary = summarizeMembers([
      member(1, 'owner', '2024-01-01T00:00:00.000Z'),
      member(7, 'member', '2024-03-01T00:00:00.000Z'),
      member(3, 'admin', '2024-03-01T00:00:00.000Z'),
      member(4, 'member', '2024-02-01T00:00:00.000Z'),
    ]);
    expect(summary).toEqual({
      memberCount: 4,
      membersByRole: { owner: 1, admin: 1, member: 2 },
      newestMember: member(7, 'member', '2024-03-01T00:00:00.000Z'),
    });
  });

  it('is empty for a team without members', () => {
    expect(summarizeMembers([])).toEqual({
      memberCount: 0,
      membersByRole: { owner: 0, admin: 0, member: 0 },
      newestMember: null,
    });
  });
});

describe('createReportWork', () => {
  const store = createMemoryStore({ users: 50, teams: 5 });
  const work = createReportWork(store, () => 0);

  it('reports a seeded team from the store', async () => {
    const team = (await store.getTeam(2))!;
    const report = await work({ id: '1', type: 'generate_report', args: { teamId: 2 } });
    expect(report).toMatchObject({
      teamId: 2,
      teamName: team.name,
      memberCount: 10,
      membersByRole: { owner: 1, admin: 0, member: 9 },
      latencyMs: 0,
    });
    expect(report.newestMember).toEqual(summarizeMembers(team.members).newestMember);
  });

  it('waits the drawn latency', async () => {
    const slow = createReportWork(store, () => 30);
    const startedMs = performance.now();
    const report = await slow({ id: '1', type: 'generate_report', args: { teamId: 1 } });
    expect(report.latencyMs).toBe(30);
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(29);
  });

  it.each([
    ['an unknown team', { teamId: 999 }, 'team 999 not found'],
    ['a teamId that is not a number', { teamId: 'x' }, 'invalid args: teamId'],
    ['extra fields', { teamId: 1, more: true }, 'invalid args'],
    ['no args', undefined, 'invalid args'],
  ])('fails without retries for %s', async (_name, args, message) => {
    const error = await work({ id: '1', type: 'generate_report', args }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toContain(message);
  });

  it('refuses a task type it does not know', async () => {
    await expect(work({ id: '1', type: 'send_mail', args: {} })).rejects.toThrow('unknown task type "send_mail"');
  });
});

describe('toTaskView', () => {
  const job = {
    id: '5',
    name: 'generate_report',
    returnvalue: { ok: 1 },
    failedReason: 'boom',
    timestamp: 1_700_000_000_000,
    finishedOn: 1_700_000_001_000,
  };

  it.each([
    ['waiting', 'queued'],
    ['delayed', 'queued'],
    ['prioritized', 'queued'],
    ['active', 'active'],
  ])('maps BullMQ state %s to %s without result or error', (bullState, state) => {
    expect(toTaskView(job, bullState)).toEqual({
      id: '5',
      type: 'generate_report',
      state,
      createdAt: '2023-11-14T22:13:20.000Z',
    });
  });

  it('shows the result of a completed task and the error of a failed one', () => {
    expect(toTaskView(job, 'completed')).toMatchObject({
      state: 'completed',
      result: { ok: 1 },
      finishedAt: '2023-11-14T22:13:21.000Z',
    });
    expect(toTaskView(job, 'failed')).toMatchObject({
      state: 'failed',
      error: 'boom',
      finishedAt: '2023-11-14T22:13:21.000Z',
    });
    expect(toTaskView(job, 'failed')).not.toHaveProperty('result');
  });

  it('is null for a job that vanished between reads', () => {
    expect(toTaskView(job, 'unknown')).toBeNull();
  });
});

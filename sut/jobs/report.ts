// The generate_report task: summarises a team from the Store (members by role, newest member),
// then pays the simulated upstream latency, like a read that missed the cache.
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import type { Member, MemberRole, Store } from '../data/store.ts';
import type { TaskJob } from './task.ts';

export const reportArgsSchema = z.strictObject({
  teamId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

export interface TeamReport {
  teamId: number;
  teamName: string;
  memberCount: number;
  membersByRole: Record<MemberRole, number>;
  newestMember: Member | null;
  latencyMs: number;
}

/** Pure: the summary of a team's members. */
export function summarizeMembers(
  members: readonly Member[],
): Pick<TeamReport, 'memberCount' | 'membersByRole' | 'newestMember'> {
  const membersByRole: Record<MemberRole, number> = { owner: 0, admin: 0, member: 0 };
  let newestMember: Member | null = null;
  for (const m of members) {
    membersByRole[m.role] += 1;
    // ISO timestamps compare as strings; on a tie the higher user id (the later insert) wins.
    if (
      !newestMember ||
      m.joinedAt > newestMember.joinedAt ||
      (m.joinedAt === newestMember.joinedAt && m.userId > newestMember.userId)
    ) {
      newestMember = m;
    }
  }
  return { memberCount: members.length, membersByRole, newestMember };
}

/**
 * A work function for startTaskWorker. Bad args and unknown teams throw UnrecoverableError: the task
 * fails with that message and is not retried.
 * @example startTaskWorker({ …, work: createReportWork(store, createLatencySampler(spec, seed)) })
 */
export function createReportWork(store: Store, drawLatencyMs: () => number): (job: TaskJob) => Promise<TeamReport> {
  return async (job) => {
    if (job.type !== 'generate_report') throw new UnrecoverableError(`unknown task type ${JSON.stringify(job.type)}`);
    const parsed = reportArgsSchema.safeParse(job.args);
    if (!parsed.success)
      throw new UnrecoverableError(
        `invalid args: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ')}`,
      );
    const { teamId } = parsed.data;
    const team = await store.getTeam(teamId);
    if (!team) throw new UnrecoverableError(`team ${teamId} not found`);
    const latencyMs = drawLatencyMs();
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return { teamId, teamName: team.name, ...summarizeMembers(team.members), latencyMs };
  };
}

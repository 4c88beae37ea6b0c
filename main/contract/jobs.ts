// Progress of a long service operation (a 1C export, a batch of labels), pushed to every window
// as `job.progress` events while the call runs. The caller names the call with its own `job` id
// in the input, so a window shows the progress of its own call and ignores the others'.
import { z } from 'zod';

/** The optional input field naming a call for its progress events. */
export const jobId = z.string().uuid().optional();

export const jobProgress = z.object({
  job: z.string(),
  operation: z.string(),
  /** Units done of `total` (objects, labels); `total` is 0 until it is known. */
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** What the job is doing now, for jobs with stages (a synchronisation: push, pull). */
  phase: z.string().optional(),
  /** Counts a window shows beside the bar (changes sent, rows received), with the time the job began for a rate. */
  counts: z.record(z.string(), z.number()).optional(),
});
export type JobProgress = z.infer<typeof jobProgress>;

export interface JobEventPayloads {
  'job.progress': JobProgress;
}
export const JOB_EVENT_CHANNELS = ['job.progress'] as const satisfies readonly (keyof JobEventPayloads)[];

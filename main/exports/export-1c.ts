// `exports.1c` as the document service runs it: the message is built outside any transaction,
// in chunks that report progress, then recorded with its objects and file in one transaction.
import type { z } from 'zod';
import type { Result } from '../contract/errors.js';
import type { export1cInput } from '../contract/operations.js';
import type { Actor } from '../db/tx.js';
import { storeExport, type Export1cView } from '../services/exports.js';
import type { Workspace } from '../workspace.js';
import { buildEnterpriseDataInChunks, type BuildProgress } from './enterprise-data.js';
import { periodOfDays } from './period.js';

export async function exportEnterpriseData(
  workspace: Workspace,
  actor: Actor,
  input: z.output<typeof export1cInput>,
  onProgress?: BuildProgress,
): Promise<Result<Export1cView>> {
  const now = workspace.registry.now();
  const built = await buildEnterpriseDataInChunks(workspace.q, { ...periodOfDays(input.from, input.to), now }, onProgress);
  const xml = Buffer.from(built.xml, 'utf8');
  return workspace.registry.transact('exports.1c', actor, now, (tx) => storeExport(tx, { from: input.from, to: input.to, xml, objects: built.objects }));
}

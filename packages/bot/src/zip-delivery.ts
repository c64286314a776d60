import type { BatchProcessor, JobSnapshot } from '@tubesum/core';
import { DiscordAPIError } from 'discord.js';
import type { Logger } from './logger.js';
import type { MessageEditor } from './message-editor.js';
import { renderNotice } from './progress-message.js';
import type { RenderedMessage } from './progress-message.js';
import { formatBytes, planZipDelivery, readPiece, writeZipToTempFile } from './zip-file.js';

/** Discord's default upload limit, used when an interaction did not say. */
export const DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;
const FILE_TOO_LARGE = 40005;

/** Discord's "Request entity too large": 40005, or a bare 413 from its edge. */
export function isFileTooLarge(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.code === FILE_TOO_LARGE || error.status === 413);
}

function zipAgainHint(jobId: string): string {
  return `Use \`/batch zip id:${jobId}\` to ask for it again.`;
}

/** What the final message says when Discord refused the ZIP. */
export function tooLargeLine(bytes: number, jobId: string): string {
  return `📦 Discord refused the ZIP (${formatBytes(bytes)}) as too large for this channel, so nothing is attached. ${zipAgainHint(jobId)}`;
}

/** A file name safe everywhere: `tubesum-<name or id>.zip`. */
export function zipFileName(job: Pick<JobSnapshot, 'id' | 'name'>): string {
  const base = (job.name ?? '')
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return `tubesum-${base || job.id.slice(0, 8)}.zip`;
}

/** What {@link deliverZip} needs: the ended job, where its message is, and what the message says. */
export interface ZipDeliveryInput {
  processor: BatchProcessor;
  job: JobSnapshot;
  userId: string;
  withTranscripts: boolean | undefined;
  /** `interaction.attachmentSizeLimit` of the interaction that started the batch. */
  attachmentSizeLimit: number;
  editor: MessageEditor;
  /** The final message, with the lines that say how the ZIP was delivered. */
  finalMessage: (delivery: string[]) => RenderedMessage;
  logger: Logger;
}

/**
 * Sends the final message with the job's ZIP under Discord's upload limit: attached when it
 * fits, otherwise in numbered parts posted after it. A ZIP Discord refuses anyway (its real
 * limit was lower than the interaction said) is left out with a line saying how to ask again.
 * The ZIP goes to a temporary file; each upload reads only its own piece of it.
 */
export async function deliverZip(input: ZipDeliveryInput): Promise<void> {
  const { processor, job, userId, editor, logger } = input;
  const zip = await writeZipToTempFile(processor, job.id, userId, { withTranscripts: input.withTranscripts });
  try {
    const plan = planZipDelivery(zip.size, zipFileName(job), input.attachmentSizeLimit);
    try {
      const attached = await Promise.all(plan.attached.map((piece) => readPiece(zip.path, piece)));
      await editor.finish(input.finalMessage(plan.lines), attached);
    } catch (error) {
      if (!isFileTooLarge(error)) throw error;
      // Discord's real limit was lower than the interaction said: the outcome without the file.
      logger.warn(`Discord refused the ZIP of batch ${job.id} (${formatBytes(zip.size)}) as too large`);
      await editor.finish(input.finalMessage([tooLargeLine(zip.size, job.id)]));
    }
    for (const [index, part] of plan.parts.entries()) {
      try {
        await editor.postAnother(renderNotice(`Part ${index + 1} of ${plan.parts.length}: \`${part.name}\``), [await readPiece(zip.path, part)]);
      } catch (error) {
        if (!isFileTooLarge(error)) throw error;
        logger.warn(`Discord refused part ${index + 1} of the ZIP of batch ${job.id} as too large`);
        await editor.postAnother(
          renderNotice(`📦 Discord refused part ${index + 1} of ${plan.parts.length} as too large; the remaining parts were not sent. ${zipAgainHint(job.id)}`),
        );
        break;
      }
    }
  } finally {
    await zip.dispose();
  }
}

import type { TranscriptResponse } from 'youtube-transcript';
import { ErrorCode, TubesumError } from '../../errors.js';
import { makeSegment } from '../caption-text.js';
import type { TranscriptSegment } from '../transcript-source.js';

/** A cue of YouTube's srv3 format, whose times are in milliseconds (the classic format's are in seconds). */
const SRV3_CUE = /<p\s+t="\d+"\s+d="\d+"/;

/**
 * The segments of a caption file that youtube-transcript parsed into `cues`, checked against
 * the file itself: a file cut short on the way is refused (retryable) rather than turned into a
 * partial transcript, and a file with no text is `EMPTY_TRANSCRIPT` when it is in a format
 * tubesum knows, `UNEXPECTED_RESPONSE` when it is not.
 */
export function captionSegments(cues: readonly TranscriptResponse[], captionBody: string, videoId: string, language: string): TranscriptSegment[] {
  if (isCutShortXml(captionBody)) {
    throw new TubesumError(ErrorCode.UNEXPECTED_RESPONSE, `YouTube's caption file for ${videoId} was cut short; refusing a partial transcript.`, {
      videoId,
      retryable: true,
      details: { source: 'youtube', language },
    });
  }
  const segments = toSegments(cues, captionBody);
  if (segments.length === 0) {
    const known = /<(transcript|timedtext)\b/.test(captionBody);
    throw new TubesumError(
      known ? ErrorCode.EMPTY_TRANSCRIPT : ErrorCode.UNEXPECTED_RESPONSE,
      known ? `The ${language} transcript of ${videoId} holds no text.` : `YouTube sent a caption file for ${videoId} in a format tubesum does not understand.`,
      { videoId, details: { source: 'youtube', language } },
    );
  }
  return segments;
}

/**
 * True for an XML document that ends before its root element closes: no root element yet
 * (`<?xml version="1.0" enc`, `<transc`), or no `</root>` for the one it opened. A complete
 * document in another format is not cut short (it is a format tubesum does not read).
 */
function isCutShortXml(body: string): boolean {
  const text = body.replace(/^\uFEFF/, '');
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z][\w.:-]*)/.exec(text);
  if (!root) return /^\s*</.test(text);
  const name = (root[1] as string).replace(/\./g, '\\.');
  const selfClosed = /^[^>]*\/>/.test(text.slice(root.index + root[0].length));
  return !selfClosed && !new RegExp(`</${name}\\s*>`).test(text);
}

/** youtube-transcript's cues as clean segments in milliseconds (srv3 gives ms, the classic format seconds). */
function toSegments(cues: readonly TranscriptResponse[], captionBody: string): TranscriptSegment[] {
  const unit = SRV3_CUE.test(captionBody) ? 1 : 1000;
  return cues.flatMap((cue) => {
    const segment = makeSegment(Number(cue.offset) * unit, Number(cue.duration) * unit, String(cue.text));
    return segment ? [segment] : [];
  });
}

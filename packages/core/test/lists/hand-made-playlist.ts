// MADE BY HAND, not recorded. The recordings of ../shared/fixtures/youtube-lists/ hold no
// private or deleted entries, so this page is written here in the shape of the recorded
// page-one answers (an `onResponseReceivedActions[].reloadContinuationItemsCommand` of
// `playlistVideoRenderer`s): a private entry as YouTube shows one ("[Private video]",
// `isPlayable: false`, no length or channel), a deleted entry without the accessibility
// label youtubei.js needs (so it cannot parse it), and two playable videos.

/** A playable entry, with the fields youtubei.js reads. */
function entry(videoId: string, title: string, index: number, extra: Record<string, unknown> = {}) {
  return {
    playlistVideoRenderer: {
      videoId,
      title: { runs: [{ text: title }], accessibility: { accessibilityData: { label: title } } },
      index: { simpleText: String(index) },
      shortBylineText: { runs: [{ text: 'A channel' }] },
      lengthText: { simpleText: '1:00' },
      lengthSeconds: '60',
      isPlayable: true,
      ...extra,
    },
  };
}

export const HAND_MADE_VIDEOS = ['hAnDmAdE001', 'hAnDmAdE004'] as const;
export const HAND_MADE_PRIVATE = 'hAnDmAdE002';
export const HAND_MADE_DELETED = 'hAnDmAdE003';

/** The answer to `browse { browseId: 'VL' + id }` of a four-entry playlist titled `title`. */
export function handMadePlaylistAnswer(title: string): string {
  return JSON.stringify({
    responseContext: {},
    metadata: { playlistMetadataRenderer: { title } },
    onResponseReceivedActions: [
      {
        reloadContinuationItemsCommand: {
          targetId: 'playlist-videos',
          continuationItems: [
            entry(HAND_MADE_VIDEOS[0], 'First video', 1),
            {
              playlistVideoRenderer: {
                videoId: HAND_MADE_PRIVATE,
                title: { runs: [{ text: '[Private video]' }], accessibility: { accessibilityData: { label: '[Private video]' } } },
                index: { simpleText: '2' },
                isPlayable: false,
              },
            },
            {
              playlistVideoRenderer: {
                videoId: HAND_MADE_DELETED,
                title: { runs: [{ text: '[Deleted video]' }] },
                index: { simpleText: '3' },
                isPlayable: false,
              },
            },
            entry(HAND_MADE_VIDEOS[1], 'Fourth video', 4),
          ],
        },
      },
    ],
  });
}

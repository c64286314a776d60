/**
 * Playlists and channels: one link, every video. A list source turns a playlist or channel
 * link into its videos; give it to a BatchProcessor (`lists`) and `submit()` takes such links
 * like any other. Needs the optional package youtubei.js: `npm install youtubei.js`.
 *
 *   pnpm tsx examples/playlists.ts [playlist or channel URL]
 */
import { pathToFileURL } from 'node:url';
import { YouTubeVideoListSource, expandInputs } from '@tubesum/core';
import type { ExpandedInputs, FetchFunction } from '@tubesum/core';

export interface PlaylistsExample {
  /** Where the lines go. */
  log?: (line: string) => void;
  /** Performs the requests to YouTube (a proxy, or recorded answers in tests). */
  fetch?: FetchFunction;
  urls?: string[];
}

export async function main({
  log = console.log,
  fetch,
  urls = ['https://www.youtube.com/playlist?list=PLWwAypAcFRgKAIIFqBr9oy-ZYZnixa_Fj', 'https://youtu.be/djV11Xbc914'],
}: PlaylistsExample = {}): Promise<ExpandedInputs> {
  const lists = new YouTubeVideoListSource(fetch === undefined ? {} : { fetch });

  // What BatchProcessor.submit() does before it stores a job: lists become their videos,
  // duplicates count once, and past the cap the rest is listed as not taken.
  const expanded = await expandInputs(urls, {
    source: lists,
    maxVideos: 150,
    onList: (list) => log(`${list.kind} "${list.title ?? list.list}": ${list.taken} videos${list.truncated ? ' (capped)' : ''}`),
  });
  log(
    `${expanded.videos.length} videos; first: ${expanded.videos
      .slice(0, 3)
      .map((video) => video.videoId)
      .join(', ')}`,
  );
  for (const rejected of expanded.rejected) log(`not taken: ${rejected.input}: ${rejected.reason}`);

  // In a batch: new BatchProcessor({ transcripts, summarizer, lists, maxVideos: 150 }),
  // then processor.submit({ userId, urls }) and every video of the playlist is an item.
  return expanded;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv[2] === undefined ? {} : { urls: process.argv.slice(2) });
}

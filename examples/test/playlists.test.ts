import { describe, expect, it } from 'vitest';
import { allRecordedRoutes, listRecordingsAvailable, replayFetch } from '../../packages/core/test/support/list-recordings.js';
import { main } from '../playlists.js';

describe.skipIf(!listRecordingsAvailable())('examples/playlists.ts (recorded YouTube answers)', () => {
  it('expands the playlist, counts the pasted video once and lists what the cap left out', async () => {
    const lines: string[] = [];
    const expanded = await main({ log: (line) => void lines.push(line), fetch: replayFetch(allRecordedRoutes('huge')).fetch });
    expect(expanded.videos).toHaveLength(150);
    // The playlist's videos stand where the playlist was; the pasted video after them.
    expect(expanded.videos[0]?.videoId).toBe('8SbUC-UaAxE');
    expect(expanded.videos.at(-1)?.videoId).toBe('djV11Xbc914');
    expect(expanded.duplicates).toEqual([{ input: 'https://www.youtube.com/watch?v=djV11Xbc914', videoId: 'djV11Xbc914' }]);
    expect(lines[0]).toMatch(/^playlist "I Wanna Rock Super Gigantic Playlist 1.*": 149 videos \(capped\)$/);
    expect(lines[1]).toBe('150 videos; first: 8SbUC-UaAxE, eVTXPUF4Oz4, hTWKbfoikeg');
    expect(lines[2]).toMatch(/^not taken: https:\/\/www\.youtube\.com\/watch\?v=\S+: Not taken: the batch is capped at 150 videos/);
  });
});

import { REST, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageLocation } from '../src/message-editor.js';
import { MessageEditor } from '../src/message-editor.js';
import { renderNotice } from '../src/progress-message.js';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';

describe('MessageEditor against the fake Discord', () => {
  let fake: FakeDiscord;
  let rest: REST;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    rest = new REST({ api: fake.apiUrl, offset: 0 }).setToken('bot-token');
  });
  afterAll(async () => {
    await fake.close();
  });

  /** An interaction whose deferred response exists, like after deferReply(). */
  async function deferred(): Promise<{ token: string; location: MessageLocation }> {
    const { id, token } = fake.sendCommand({ name: 'batch' });
    await rest.post(Routes.interactionCallback(id, token), { body: { type: 5, data: { flags: 0 } }, auth: false });
    return {
      token,
      location: {
        applicationId: FAKE_IDS.application,
        channelId: FAKE_IDS.channel,
        messageId: undefined,
        interactionToken: token,
        interactionCreatedAt: Date.now(),
      },
    };
  }

  const edits = (messageId: string, token: string) =>
    fake.requests.filter(
      (r) => r.method === 'PATCH' && r.status === 200 && (r.path.endsWith(`/${messageId}`) || r.path.endsWith(`/${token}/messages/@original`)),
    );

  it('edits at most once per interval, only on change, and always sends the final state', async () => {
    const { token, location } = await deferred();
    // Fake clock for the editor's interval (setTimeout and Date); the HTTP exchanges with the fake
    // Discord stay real I/O, awaited through editor.idle() while the clock stands still.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    // When (on the fake clock) each edit request starts.
    const startedAt: number[] = [];
    const patch = rest.patch.bind(rest);
    vi.spyOn(rest, 'patch').mockImplementation((...args) => {
      startedAt.push(Date.now());
      return patch(...args);
    });
    try {
      const start = fake.requests.length;
      // No jitter here: the exact edit times are the point (jitter has its own test).
      const editor = new MessageEditor({ rest, location, intervalMs: 200, jitterMs: 0 });
      const t0 = Date.now();
      // Timers fire only at the end of an advance, so an edit always ends at the time it started.
      for (let i = 0; i < 30; i++) {
        editor.update(renderNotice(`step ${i}`));
        editor.update(renderNotice(`step ${i}`));
        await vi.advanceTimersByTimeAsync(0);
        await editor.idle();
        await vi.advanceTimersByTimeAsync(20);
        await editor.idle();
      }
      const finishing = editor.finish(renderNotice('final'));
      await vi.advanceTimersByTimeAsync(200);
      await finishing;

      // 600 ms of updates every 20 ms at one edit per 200 ms: the first state at once, then the
      // newest state each time the interval allows, then the final state; never a state twice.
      const patches = fake.requests.slice(start).filter((r) => r.method === 'PATCH');
      const contents = patches.map((r) => (r.body as { content: string }).content);
      expect(contents).toEqual(['step 0', 'step 9', 'step 19', 'step 29', 'final']);
      expect(startedAt.map((at) => at - t0)).toEqual([0, 200, 400, 600, 800]);
      expect(fake.originalMessage(token)?.content).toBe('final');
    } finally {
      vi.useRealTimers();
      vi.restoreAllMocks();
    }
  });

  it('does not lose the final state to a 429', async () => {
    const { token, location } = await deferred();
    const editor = new MessageEditor({ rest, location, intervalMs: 50 });
    await editor.editNow(renderNotice('first'));
    fake.rateLimitNext('PATCH', /@original$/, 0.3);
    await editor.finish(renderNotice('the end'));
    expect(fake.originalMessage(token)?.content).toBe('the end');
    expect(fake.requests.some((r) => r.status === 429)).toBe(true);
  });

  it('moves to the channel route when the token is about to expire', async () => {
    const { token, location } = await deferred();
    const changes: MessageLocation[] = [];
    const editor = new MessageEditor({
      rest,
      location,
      intervalMs: 50,
      tokenLifetimeMs: 300,
      onLocationChange: (l) => void changes.push(l),
    });
    await editor.editNow(renderNotice('via webhook'));
    const messageId = fake.originalMessage(token)!.id;
    await new Promise((resolve) => setTimeout(resolve, 350));
    await editor.finish(renderNotice('via channel'));
    const last = fake.requests.at(-1)!;
    expect(last.path).toBe(`/channels/${FAKE_IDS.channel}/messages/${messageId}`);
    expect(last.authorization).toBe('Bot bot-token');
    expect(fake.messages.get(messageId)?.content).toBe('via channel');
    expect(changes.at(-1)).toMatchObject({ messageId, interactionToken: undefined });
    expect(edits(messageId, token).map((r) => r.path.split('/')[1])).toEqual(['webhooks', 'channels']);
  });

  it('falls back to the channel route when Discord already rejects the token (401 50027)', async () => {
    const { token, location } = await deferred();
    const editor = new MessageEditor({ rest, location, intervalMs: 50 });
    await editor.editNow(renderNotice('one'));
    const messageId = fake.originalMessage(token)!.id;
    fake.tokenTtlMs = 0;
    try {
      await editor.finish(renderNotice('two'));
    } finally {
      fake.tokenTtlMs = 15 * 60_000;
    }
    expect(fake.requests.some((r) => r.status === 401)).toBe(true);
    expect(fake.messages.get(messageId)?.content).toBe('two');
  });

  it('posts a new message and continues there after 30046', async () => {
    const { token, location } = await deferred();
    const changes: MessageLocation[] = [];
    const editor = new MessageEditor({
      rest,
      location,
      intervalMs: 50,
      tokenLifetimeMs: 0,
      onLocationChange: (l) => void changes.push(l),
    });
    await editor.editNow(renderNotice('one'));
    const first = fake.originalMessage(token)!.id;
    fake.failNext({
      method: 'PATCH',
      path: new RegExp(`/channels/${FAKE_IDS.channel}/messages/${first}$`),
      status: 400,
      body: { message: 'Maximum number of edits to messages older than 1 hour reached.', code: 30046 },
    });
    await editor.editNow(renderNotice('two'));
    const second = changes.at(-1)!.messageId!;
    expect(second).not.toBe(first);
    expect(fake.messages.get(second)?.content).toBe('two');
    await editor.finish(renderNotice('three'));
    expect(fake.messages.get(second)?.content).toBe('three');
    expect(fake.requests.at(-1)!.path).toBe(`/channels/${FAKE_IDS.channel}/messages/${second}`);
  });

  it('sends the newest state after an edit held up by a 429, and nothing after the final one', async () => {
    const { token, location } = await deferred();
    const editor = new MessageEditor({ rest, location, intervalMs: 50 });
    await editor.editNow(renderNotice('one'));
    const start = fake.requests.length;
    fake.rateLimitNext('PATCH', new RegExp(`/${token}/messages/@original$`), 0.4);
    editor.update(renderNotice('two'));
    // 'two' is now held by the 429; newer states queue behind it.
    await fake.waitFor(() => fake.requests.slice(start).some((r) => r.status === 429), 5000, 'the 429');
    editor.update(renderNotice('three'));
    await editor.editNow(renderNotice('four'));
    expect(fake.originalMessage(token)?.content).toBe('four');
    const sent = fake.requests
      .slice(start)
      .filter((r) => r.method === 'PATCH' && r.status === 200)
      .map((r) => (r.body as { content: string }).content);
    expect(sent).toEqual(['two', 'four']);

    await editor.finish(renderNotice('the end'));
    const afterFinal = fake.requests.length;
    editor.update(renderNotice('late progress'));
    await editor.editNow(renderNotice('late render'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fake.requests.length).toBe(afterFinal);
    expect(fake.originalMessage(token)?.content).toBe('the end');
  });
});

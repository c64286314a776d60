/**
 * The batch page (examples/web) in a real browser: Debian's chromium driven by playwright-core,
 * against the http-server example with a summarizer the test releases one video at a time.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HOSTILE_ID, HOSTILE_TITLE, startHarness } from './web-harness.js';

const ARTIFACTS = fileURLToPath(new URL('../../reports/web/', import.meta.url));
const README_SCREENSHOT = fileURLToPath(new URL('../web/screenshot-mid-batch.png', import.meta.url));
const LINKS = [
  '- https://youtu.be/Xk3pL9vQm2A',
  '- https://www.youtube.com/watch?v=b7RtN0wYc4E, https://example.com/not-a-video',
  '- q2ZsH8uJd5M; nW4cR7yBx0U',
  '- https://youtu.be/Xk3pL9vQm2A?t=10',
  '- T9fVe1KpL6s',
].join('\n');

if (process.env.CI === 'true' && !existsSync(CHROMIUM)) throw new Error(`The page's tests need ${CHROMIUM}: apt-get install -y chromium`);

/** Waits until the text of `selector` matches `pattern` (the page updates itself; nothing is timed). */
async function until(page: Page, selector: string, pattern: RegExp): Promise<void> {
  await page.waitForFunction(([css, source]) => new RegExp(source!).test(document.querySelector(css!)?.textContent ?? ''), [selector, pattern.source], {
    timeout: 20_000,
  });
}

/** Clicks a download button, unzips what the browser saved and returns the summaries' files and the index. */
async function downloadZip(page: Page, button: string): Promise<{ fileName: string; summaries: string[]; index: string }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click(button)]);
  const zip = await JSZip.loadAsync(readFileSync((await download.path())!));
  const summaries = Object.keys(zip.files).filter((name) => /^summaries\/.+\.md$/.test(name));
  return { fileName: download.suggestedFilename(), summaries, index: (await zip.file('index.md')?.async('string')) ?? '' };
}

describe.runIf(existsSync(CHROMIUM))('examples/web: the batch page in chromium', () => {
  let harness: Awaited<ReturnType<typeof startHarness>>;
  let page: Page;
  let firstJobId = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    harness = await startHarness();
    page = await harness.browser.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('is usable with the keyboard alone: sign in, paste, see rejected and duplicate links, submit', async () => {
    await page.goto(harness.base);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
    await page.keyboard.type('alice-token');
    await page.keyboard.press('Enter');
    await until(page, '#signin-status', /Signed in/);

    const toLinks: string[] = [];
    while (toLinks.at(-1) !== 'urls' && toLinks.length < 5) {
      await page.keyboard.press('Tab');
      toLinks.push(await page.evaluate(() => document.activeElement?.id ?? ''));
    }
    expect(toLinks).toEqual(['signin-button', 'signout', 'urls']);
    await page.keyboard.insertText(LINKS);
    await until(page, '#intake-summary', /5 videos to summarize, 1 rejected, 1 duplicate\./);
    expect(await page.textContent('#rejected-list')).toContain('https://example.com/not-a-video');
    expect(await page.textContent('#duplicate-list')).toContain('https://youtu.be/Xk3pL9vQm2A?t=10');

    const order: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName ?? ''));
      if (order.at(-1) === 'name') break;
    }
    expect(order).toContain('file'); // the file picker is reachable from the keyboard
    expect(order.at(-1)).toBe('name');
    await page.keyboard.type('Talks <b>week</b>');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowUp'); // length: standard -> short
    await page.keyboard.press('Tab');
    await page.keyboard.type('en');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('submit');
    await page.keyboard.press('Enter');

    await until(page, '#batch-name', /Talks <b>week<\/b>/);
    expect(await page.locator('#items tbody tr').count()).toBe(5);
    expect(await page.inputValue('#length')).toBe('short');
    firstJobId = decodeURIComponent(new URL(page.url()).hash.replace('#batch=', ''));
    const job = await harness.processor.get(firstJobId, { userId: 'alice' });
    expect(job).toMatchObject({ name: 'Talks <b>week</b>', options: { length: 'short', language: 'en' } });
  });

  it('shows live progress: bar, counts, ETA and one row per video', async () => {
    await until(page, '#connection', /Live\./);
    harness.gate.release(1);
    await until(page, '#counts', /^1 of 5 finished: 1 done/);
    await until(page, '#counts', /left\./); // an ETA once something finished
    expect(Number(await page.getAttribute('#bar', 'value'))).toBe(20);
    expect(await page.getAttribute('#bar', 'aria-valuetext')).toBe('20%');
    expect(await page.locator('#items tr[data-status="done"]').count()).toBe(1);
    expect(await page.locator('#items tr[data-status="done"] td:nth-child(4)').textContent()).not.toBe('');
  });

  it('shows the true state after a reload mid-batch, and a screenshot of it is kept', async () => {
    const done = await page.locator('#items tr[data-status="done"]').count();
    await page.reload();
    await until(page, '#batch-status', /running/);
    await until(page, '#counts', new RegExp(`^${done} of 5 finished`));
    expect(await page.locator('#items tr[data-status="done"]').count()).toBe(done);
    await until(page, '#connection', /Live\./);
    await page.screenshot({ path: `${ARTIFACTS}mid-batch.png`, fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: README_SCREENSHOT, fullPage: true });
  });

  it('catches up after the server drops the event stream', async () => {
    const done = await page.locator('#items tr[data-status="done"]').count();
    const opened = harness.streamsOpened();
    harness.dropStreams();
    harness.gate.release(1); // ends while the page is disconnected or reconnecting
    await until(page, '#counts', new RegExp(`^${done + 1} of 5 finished`));
    expect(await page.locator('#items tr[data-status="done"]').count()).toBe(done + 1);
    expect(harness.streamsOpened()).toBeGreaterThan(opened);
    await until(page, '#connection', /Live\./);
  });

  it('keeps the newer live progress when a reload answer arrives late', async () => {
    const done = await page.locator('#items tr[data-status="done"]').count();
    // Hold the batch's answer (read now, so it holds the older state) until a video has ended since.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const batchUrl = new RegExp(`/batches/${firstJobId}$`);
    await page.route(batchUrl, async (route) => {
      const response = await route.fetch();
      await held;
      await route.fulfill({ response });
    });
    const answered = page.waitForResponse(batchUrl);
    harness.dropStreams(); // the reconnection's `snapshot` event makes the page reload the batch
    await until(page, '#connection', /Live\./);
    harness.gate.release(1);
    await until(page, '#counts', new RegExp(`^${done + 1} of 5 finished.* left\\.$`));
    release();
    await (await answered).finished();
    // The page reads and applies the answer in the frames that follow.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.unroute(batchUrl);
    expect(await page.textContent('#counts')).toMatch(new RegExp(`^${done + 1} of 5 finished.* left\\.$`));
    expect(await page.locator('#items tr[data-status="done"]').count()).toBe(done + 1);
  });

  it('downloads the ZIP while the batch runs', async () => {
    const done = await page.locator('#items tr[data-status="done"]').count();
    const zip = await downloadZip(page, '#download');
    expect(zip.fileName).toMatch(new RegExp(`${firstJobId}\\.zip$`));
    expect(zip.summaries).toHaveLength(done);
  });

  it('cancels only after confirmation, then the ZIP still downloads', async () => {
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('#cancel');
    expect(await page.textContent('#batch-status')).toBe('running');

    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.click('#cancel');
    await until(page, '#batch-status', /^cancelled$/);
    expect(asked).toContain('Talks <b>week</b>');
    expect(harness.cancelRequests()).toBe(1); // the dismissed confirmation sent none
    expect(await page.isDisabled('#cancel')).toBe(true);
    expect(await page.locator('#items tr[data-status="cancelled"]').count()).toBeGreaterThan(0);
    const done = await page.locator('#items tr[data-status="done"]').count();
    expect((await downloadZip(page, '#download')).summaries).toHaveLength(done);
  });

  it('takes a dropped file and a picked file, runs to the end, and lists earlier batches', async () => {
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['url\nhttps://youtu.be/H0stileT1t1\n'], 'links.csv', { type: 'text/csv' }));
      document.querySelector('#drop-zone')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await until(page, '#intake-summary', /1 video to summarize, 1 rejected\./); // the CSV header `url`
    await page.setInputFiles('#file', { name: 'more.txt', mimeType: 'text/plain', buffer: Buffer.from('https://youtu.be/T9fVe1KpL6s\n') });
    await until(page, '#intake-summary', /2 videos to summarize/);
    await page.fill('#name', 'From files');
    await page.click('#submit');
    await until(page, '#batch-name', /From files/);
    harness.gate.release(10);
    await until(page, '#batch-status', /^done$/);
    await until(page, '#counts', /^2 of 2 finished: 2 done/);
    expect(Number(await page.getAttribute('#bar', 'value'))).toBe(100);
    const row = page.locator(`#items tr:has(code:text-is("${HOSTILE_ID}"))`);
    expect(await row.textContent()).toContain(HOSTILE_TITLE); // as text: no element was made of it
    expect(await page.locator('#items img, #items b').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    const zip = await downloadZip(page, '#download');
    expect(zip.summaries).toHaveLength(2);
    expect(zip.index).toContain(HOSTILE_ID);

    await until(page, '#history-list', /From files/);
    const history = await page.locator('#history-list li').allTextContents();
    expect(history).toHaveLength(2);
    expect(history[0]).toMatch(/From files — done, 2\/2/);
    expect(history[1]).toMatch(/Talks <b>week<\/b> — cancelled/);
    const earlier = await downloadZip(page, '#history-list li:nth-child(2) button:text("Download ZIP")');
    expect(earlier.fileName).toMatch(new RegExp(`${firstJobId}\\.zip$`));
    expect(earlier.summaries.length).toBeGreaterThan(0);
  });

  it('is readable on a phone: no sideways scrolling', async () => {
    const phone = await harness.browser.newPage();
    await phone.setViewportSize({ width: 375, height: 800 });
    await phone.goto(harness.base);
    await phone.evaluate(() => sessionStorage.setItem('tubesum-token', 'alice-token'));
    await phone.goto(`${harness.base}/#batch=${encodeURIComponent(firstJobId)}`);
    await phone.reload();
    await until(phone, '#batch-status', /cancelled/);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await phone.screenshot({ path: `${ARTIFACTS}phone.png`, fullPage: true });
    await phone.close();
  });

  it('a second user sees none of the first user’s batches and cannot cancel them', async () => {
    const bob = await harness.browser.newPage();
    await bob.goto(harness.base);
    await bob.fill('#token', 'bob-token');
    await bob.press('#token', 'Enter');
    await until(bob, '#history-list', /No batches yet/);
    const status = await bob.evaluate(
      async (id) => (await fetch(`/batches/${id}/cancel`, { method: 'POST', headers: { authorization: 'Bearer bob-token' } })).status,
      firstJobId,
    );
    expect(status).toBe(404);
    await bob.goto(`${harness.base}/#batch=${encodeURIComponent(firstJobId)}`);
    await bob.reload();
    await until(bob, '#history-list', /No batches yet/);
    expect(await bob.isHidden('#batch')).toBe(true);
    await bob.close();
  });
});

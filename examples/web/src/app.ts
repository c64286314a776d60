/**
 * The batch page: paste or drop links, see what is rejected before sending, follow the batch
 * live, cancel it, download its ZIP, and come back to earlier batches. Talks to the API of
 * examples/http-server.ts with the user's bearer token (kept in sessionStorage for this tab).
 *
 * Every text from the server (titles come from YouTube, errors quote inputs) goes into the page
 * as text nodes, never as HTML.
 */
import { parseUrlList } from '../../../packages/core/src/intake/parse-url-list.js';
import { ENDED_ITEM_STATUSES } from '../../../packages/core/src/records.js';
import type { ItemRecord, JobSnapshot, Progress } from '../../../packages/core/src/records.js';
import { byId, el, formatDuration } from './dom.js';
import { followEvents } from './sse.js';
import type { ServerEvent } from './sse.js';

const TOKEN_KEY = 'tubesum-token';

const ui = {
  signinForm: byId('signin-form', HTMLFormElement),
  token: byId('token', HTMLInputElement),
  signout: byId('signout', HTMLButtonElement),
  signinStatus: byId('signin-status', HTMLParagraphElement),
  form: byId('batch-form', HTMLFormElement),
  urls: byId('urls', HTMLTextAreaElement),
  dropZone: byId('drop-zone', HTMLDivElement),
  file: byId('file', HTMLInputElement),
  intakeSummary: byId('intake-summary', HTMLParagraphElement),
  rejectedBox: byId('rejected-box', HTMLDetailsElement),
  rejectedList: byId('rejected-list', HTMLUListElement),
  duplicateBox: byId('duplicate-box', HTMLDetailsElement),
  duplicateList: byId('duplicate-list', HTMLUListElement),
  name: byId('name', HTMLInputElement),
  length: byId('length', HTMLSelectElement),
  language: byId('language', HTMLInputElement),
  submit: byId('submit', HTMLButtonElement),
  formError: byId('form-error', HTMLParagraphElement),
  batch: byId('batch', HTMLElement),
  batchName: byId('batch-name', HTMLSpanElement),
  batchStatus: byId('batch-status', HTMLSpanElement),
  bar: byId('bar', HTMLProgressElement),
  counts: byId('counts', HTMLParagraphElement),
  connection: byId('connection', HTMLParagraphElement),
  cancel: byId('cancel', HTMLButtonElement),
  download: byId('download', HTMLButtonElement),
  rows: byId('items', HTMLTableElement).tBodies[0]!,
  refresh: byId('refresh', HTMLButtonElement),
  history: byId('history-list', HTMLUListElement),
};

interface Current {
  job: JobSnapshot;
  /** The progress on screen: see {@link showProgress}. */
  progress?: Progress;
  items: Map<number, ItemRecord>;
  stop: () => void;
}
let current: Current | undefined;

const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';

/** A failed API call, with the server's message. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { ...init, headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' } });
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (!response.ok) throw new ApiError(response.status, body?.error?.message ?? `The server answered ${response.status}.`);
  return body as T;
}

// ---- the form -------------------------------------------------------------------------------

function showIntake(): void {
  const parsed = parseUrlList(ui.urls.value);
  const parts = [`${parsed.videos.length} video${parsed.videos.length === 1 ? '' : 's'} to summarize`];
  if (parsed.rejected.length > 0) parts.push(`${parsed.rejected.length} rejected`);
  if (parsed.duplicates.length > 0) parts.push(`${parsed.duplicates.length} duplicate${parsed.duplicates.length === 1 ? '' : 's'}`);
  ui.intakeSummary.textContent = ui.urls.value.trim() === '' ? '' : `${parts.join(', ')}.`;
  ui.rejectedList.replaceChildren(...parsed.rejected.map((entry) => el('li', {}, el('code', {}, entry.input), `: ${entry.reason}`)));
  ui.duplicateList.replaceChildren(...parsed.duplicates.map((entry) => el('li', {}, el('code', {}, entry.input), ` (video ${entry.videoId})`)));
  ui.rejectedBox.hidden = parsed.rejected.length === 0;
  ui.duplicateBox.hidden = parsed.duplicates.length === 0;
  ui.rejectedBox.open = ui.duplicateBox.open = true;
}

async function addFiles(files: FileList | null): Promise<void> {
  for (const file of files ?? []) {
    if (!/\.(txt|csv)$/i.test(file.name)) {
      ui.formError.textContent = `${file.name} is not a .txt or .csv file.`;
      continue;
    }
    const text = await file.text();
    ui.urls.value = ui.urls.value.trim() === '' ? text : `${ui.urls.value.trimEnd()}\n${text}`;
    ui.formError.textContent = '';
  }
  showIntake();
}

async function submitBatch(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  ui.formError.textContent = '';
  if (token() === '') return void (ui.formError.textContent = 'Sign in first.');
  if (parseUrlList(ui.urls.value).videos.length === 0) return void (ui.formError.textContent = 'Paste at least one YouTube video link.');
  const language = ui.language.value.trim();
  ui.submit.disabled = true;
  try {
    const job = await api<JobSnapshot>('/batches', {
      method: 'POST',
      body: JSON.stringify({
        urls: ui.urls.value,
        ...(ui.name.value.trim() === '' ? {} : { name: ui.name.value.trim() }),
        options: { length: ui.length.value, ...(language === '' ? {} : { language }) },
      }),
    });
    ui.urls.value = '';
    showIntake();
    location.hash = `batch=${encodeURIComponent(job.id)}`; // a reload comes back to it
    await openBatch(job.id);
    void loadHistory();
  } catch (error) {
    ui.formError.textContent = (error as Error).message;
  } finally {
    ui.submit.disabled = false;
  }
}

// ---- one batch, live ------------------------------------------------------------------------

function describeProgress(job: JobSnapshot, progress: Progress): string {
  const { counts } = progress;
  const text = `${progress.ended} of ${progress.total} finished: ${counts.done} done, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.running} running.`;
  if (job.status !== 'running') return text;
  return progress.etaMs === undefined ? `${text} Time left: estimating…` : `${text} About ${formatDuration(progress.etaMs)} left.`;
}

function renderJob(job: JobSnapshot, progress: Progress = job.progress): void {
  ui.batch.hidden = false;
  ui.batchName.textContent = job.name ?? job.id;
  ui.batchStatus.textContent = job.status === 'paused' && job.pauseReason !== undefined ? `paused: ${job.pauseReason.message}` : job.status;
  ui.bar.value = progress.percent;
  ui.bar.setAttribute('aria-valuetext', `${Math.round(progress.percent)}%`);
  ui.counts.textContent = describeProgress(job, progress);
  ui.cancel.disabled = job.status !== 'running';
}

/**
 * Shows `progress`, unless the page already shows a newer one of the running batch: a reload's
 * answer can arrive after live events that passed it (fewer videos ended, no ETA yet), and must not
 * take the page back. A batch that stopped running shows what it says.
 */
function showProgress(state: Current, progress: Progress): void {
  const shown = state.progress;
  const stale = state.job.status === 'running' && shown !== undefined && progress.ended < shown.ended;
  if (!stale) state.progress = progress;
  renderJob(state.job, state.progress ?? progress);
}

function renderItem(item: ItemRecord): void {
  const row = el(
    'tr',
    { id: `item-${item.index}`, 'data-status': item.status },
    el('td', {}, String(item.index + 1)),
    el('td', {}, el('code', {}, item.videoId)),
    el('td', { class: `status-${item.status}` }, item.status),
    el('td', {}, item.error === undefined ? (item.title ?? '') : `${item.title === undefined ? '' : `${item.title}: `}${item.error.message}`),
  );
  const old = ui.rows.querySelector(`#item-${item.index}`);
  if (old === null) ui.rows.append(row);
  else old.replaceWith(row);
}

function onEvent(event: ServerEvent): void {
  if (current === undefined) return;
  const data = event.data as {
    jobId?: string;
    progress?: Progress;
    item?: ItemRecord;
    job?: JobSnapshot;
    status?: ItemRecord['status'];
    error?: ItemRecord['error'];
  };
  if (event.name === 'snapshot') {
    void reload(current.job.id); // after every (re)connection: the true state, items included
    return;
  }
  if (data.item !== undefined) {
    const item = { ...data.item, ...(event.name === 'itemEnd' && data.status !== undefined ? { status: data.status } : {}) };
    if (event.name === 'itemEnd' && data.error !== undefined) item.error = data.error;
    current.items.set(item.index, item);
    renderItem(item);
  }
  if (data.job !== undefined) current.job = data.job;
  if (data.progress !== undefined) showProgress(current, data.progress);
  if (event.name === 'batchEnd' || event.name === 'batchPause') {
    void reload(current.job.id);
    void loadHistory();
  }
}

async function reload(id: string): Promise<void> {
  const { job, items } = await api<{ job: JobSnapshot; items: ItemRecord[] }>(`/batches/${encodeURIComponent(id)}`);
  if (current?.job.id !== id) return;
  current.job = job;
  showProgress(current, job.progress);
  for (const item of items) {
    const known = current.items.get(item.index);
    // An event that arrived while this answer was on its way may be newer: an ended item stays ended.
    if (known !== undefined && ENDED_ITEM_STATUSES.has(known.status) && !ENDED_ITEM_STATUSES.has(item.status)) continue;
    current.items.set(item.index, item);
    renderItem(item);
  }
}

async function openBatch(id: string): Promise<void> {
  current?.stop();
  ui.rows.replaceChildren();
  const { job } = await api<{ job: JobSnapshot }>(`/batches/${encodeURIComponent(id)}`);
  const opened: Current = { job, items: new Map(), stop: () => {} };
  current = opened;
  await reload(id);
  if (job.status !== 'running') {
    ui.connection.textContent = '';
    return;
  }
  opened.stop = followEvents({
    url: `/batches/${encodeURIComponent(id)}/events`,
    token: token(),
    onEvent,
    isOver: () => opened.job.status !== 'running',
    onConnection: (state) => {
      ui.connection.textContent = state === 'open' ? 'Live.' : state === 'retrying' ? 'Connection lost; reconnecting…' : '';
    },
  });
}

async function cancelBatch(): Promise<void> {
  if (current === undefined) return;
  const { job } = current;
  if (!confirm(`Cancel the batch “${job.name ?? job.id}”? Videos already summarized stay in the ZIP.`)) return;
  try {
    await api(`/batches/${encodeURIComponent(job.id)}/cancel`, { method: 'POST' });
    await reload(job.id);
    void loadHistory();
  } catch (error) {
    ui.counts.textContent = (error as Error).message;
  }
}

/** Fetches the ZIP with the token (a plain link cannot send it) and saves it under the server's name. */
async function download(id: string, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  const label = button.textContent;
  button.textContent = 'Preparing ZIP…';
  try {
    const response = await fetch(`/batches/${encodeURIComponent(id)}/zip`, { headers: { authorization: `Bearer ${token()}` } });
    if (!response.ok) throw new ApiError(response.status, `The ZIP could not be made (${response.status}).`);
    const disposition = response.headers.get('content-disposition') ?? '';
    const name = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
    const link = el('a', { href: URL.createObjectURL(await response.blob()), download: name === undefined ? `${id}.zip` : decodeURIComponent(name) });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  } catch (error) {
    ui.connection.textContent = (error as Error).message;
  } finally {
    button.textContent = label;
    button.disabled = false;
  }
}

// ---- earlier batches ------------------------------------------------------------------------

async function loadHistory(): Promise<void> {
  if (token() === '') return void ui.history.replaceChildren();
  const jobs = await api<JobSnapshot[]>('/batches').catch(() => []);
  ui.history.replaceChildren(
    ...jobs.map((job) => {
      const label = job.name ?? job.id;
      const open = el('button', { type: 'button', 'aria-label': `Open ${label}` }, 'Open');
      open.addEventListener('click', () => {
        location.hash = `batch=${encodeURIComponent(job.id)}`;
        void openBatch(job.id);
      });
      const zip = el('button', { type: 'button', 'aria-label': `Download the ZIP of ${label}` }, 'Download ZIP');
      zip.addEventListener('click', () => void download(job.id, zip));
      const when = new Date(job.createdAt).toLocaleString();
      return el(
        'li',
        { 'data-job': job.id },
        el('span', {}, el('strong', {}, label), ` — ${job.status}, ${job.progress.ended}/${job.progress.total} · ${when}`),
        open,
        zip,
      );
    }),
  );
  if (jobs.length === 0) ui.history.append(el('li', {}, 'No batches yet.'));
}

// ---- sign-in and start ----------------------------------------------------------------------

function showSignedIn(): void {
  const signedIn = token() !== '';
  ui.signinStatus.textContent = signedIn ? 'Signed in.' : 'Sign in with your access token.';
  ui.signout.hidden = !signedIn;
  ui.token.required = !signedIn;
}

ui.signinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (ui.token.value === '') return;
  sessionStorage.setItem(TOKEN_KEY, ui.token.value);
  ui.token.value = '';
  showSignedIn();
  void loadHistory();
});
ui.signout.addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  current?.stop();
  current = undefined;
  ui.batch.hidden = true;
  showSignedIn();
  void loadHistory();
});
ui.urls.addEventListener('input', showIntake);
ui.file.addEventListener('change', () => void addFiles(ui.file.files).then(() => (ui.file.value = '')));
ui.dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  ui.dropZone.classList.add('over');
});
ui.dropZone.addEventListener('dragleave', () => ui.dropZone.classList.remove('over'));
ui.dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.dropZone.classList.remove('over');
  void addFiles(event.dataTransfer?.files ?? null);
});
ui.form.addEventListener('submit', (event) => void submitBatch(event));
ui.cancel.addEventListener('click', () => void cancelBatch());
ui.download.addEventListener('click', () => current !== undefined && void download(current.job.id, ui.download));
ui.refresh.addEventListener('click', () => void loadHistory());

showSignedIn();
void loadHistory();
const fromHash = /^#batch=(.+)$/.exec(location.hash)?.[1];
if (fromHash !== undefined && token() !== '') void openBatch(decodeURIComponent(fromHash)).catch(() => (location.hash = ''));

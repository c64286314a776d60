import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleScript } from '@tubesum/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { registerCommands } from '../src/register-commands.js';
import { FAKE_IDS, FakeDiscord } from './fake-discord.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** src/deploy-commands.ts and the sources it imports, bundled into one script (see bundleScript). */
const script = await bundleScript(new URL('../src/deploy-commands.ts', import.meta.url));

interface RegisteredCommand {
  name: string;
  options: { name: string; type: number; options?: { name: string; type: number; choices?: { value: string }[] }[] }[];
}

describe('registering the slash commands', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('puts /batch globally, with the configured models as choices', async () => {
    const config = loadConfig({
      DISCORD_TOKEN: 'deploy-token',
      DISCORD_APPLICATION_ID: FAKE_IDS.application,
      DISCORD_API_URL: fake.apiUrl,
      ANTHROPIC_API_KEY: 'sk-test',
      ANTHROPIC_MODEL: 'claude-haiku-4-5,claude-sonnet-4-6',
    });
    expect(await registerCommands(config)).toEqual({ scope: 'global', names: ['batch'] });
    const put = fake.requests.find((r) => r.method === 'PUT' && r.path === `/applications/${FAKE_IDS.application}/commands`);
    expect(put?.authorization).toBe('Bot deploy-token');
    const [batch] = put!.body as RegisteredCommand[];
    expect(batch!.options.map((o) => o.name)).toEqual(['run', 'list', 'cancel', 'zip']);
    const run = batch!.options[0]!;
    expect(run.options!.map((o) => `${o.name}:${o.type}`)).toEqual(['urls:3', 'file:11', 'name:3', 'length:3', 'language:3', 'transcripts:5', 'model:3']);
    expect(batch!.options[3]!.options!.map((o) => `${o.name}:${o.type}`)).toEqual(['id:3', 'transcripts:5']);
    expect(run.options!.at(-1)!.choices!.map((c) => c.value)).toEqual(['claude-haiku-4-5', 'claude-sonnet-4-6']);
    expect(JSON.stringify(batch).length).toBeLessThan(8000);
  });

  it('runs as a script against DISCORD_API_URL and registers in DISCORD_GUILD_ID', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        DISCORD_TOKEN: 'deploy-token',
        DISCORD_APPLICATION_ID: FAKE_IDS.application,
        DISCORD_GUILD_ID: FAKE_IDS.guild,
        DISCORD_API_URL: fake.apiUrl,
      },
    });
    expect(stdout).toContain(`Registered /batch in guild ${FAKE_IDS.guild}`);
    const registered = fake.commands.get(`/applications/${FAKE_IDS.application}/guilds/${FAKE_IDS.guild}/commands`) as RegisteredCommand[];
    expect(registered.map((c) => c.name)).toEqual(['batch']);
    // One model only: no model option to pick from.
    expect(registered[0]!.options[0]!.options!.some((o) => o.name === 'model')).toBe(false);
  });

  it('names DISCORD_TOKEN when Discord refuses the token', async () => {
    fake.failNext({ method: 'PUT', path: /\/commands$/, status: 401, body: { message: '401: Unauthorized', code: 0 } });
    const error = await promisify(execFile)(process.execPath, [script], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', DISCORD_TOKEN: 'wrong-deploy-token', DISCORD_APPLICATION_ID: FAKE_IDS.application, DISCORD_API_URL: fake.apiUrl },
    }).catch((e: unknown) => e as { code: number; stderr: string });
    expect(error).toMatchObject({ code: 1 });
    expect((error as { stderr: string }).stderr).toBe(
      'Could not register the commands: Discord refused the bot token in `DISCORD_TOKEN` (401 Unauthorized): copy it again from the Developer Portal (your application > Bot > Reset Token); the client secret and the public key are not the token.\n',
    );
  });

  it('fails with the variable named when the configuration is wrong', async () => {
    const error = await promisify(execFile)(process.execPath, [script], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', DISCORD_TOKEN: 'deploy-token' },
    }).catch((e: unknown) => e as { code: number; stderr: string });
    expect(error).toMatchObject({ code: 1 });
    expect((error as { stderr: string }).stderr).toMatch(/`DISCORD_APPLICATION_ID`/);
    expect((error as { stderr: string }).stderr).not.toContain('deploy-token');
  });
});

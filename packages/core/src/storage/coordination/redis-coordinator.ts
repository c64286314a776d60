import type { JobLease } from '../batch-store.js';
import type { Coordinator, StoredLease } from './coordinator.js';
import { decodeEnvelope, encodeEnvelope, escapeString } from './coordinator.js';

/** The part of a node-redis client (as `@keyv/redis`'s `getClient()` resolves it) the coordinator uses. */
export interface RedisScripting {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

// Each script is one atomic step on the server. Lists stay Keyv values (`{"value":[ids]}`); cjson
// encodes an empty table as `{}`, so an emptied list is written literally.
const ADD_TO_LIST = `
local raw = redis.call('GET', KEYS[1])
if not raw then redis.call('SET', KEYS[1], ARGV[2]) return 1 end
local data = cjson.decode(raw)
if type(data['value']) ~= 'table' then data['value'] = {} end
for _, each in ipairs(data['value']) do if each == ARGV[1] then return 0 end end
table.insert(data['value'], ARGV[1])
redis.call('SET', KEYS[1], cjson.encode(data))
return 1`;

const REMOVE_FROM_LIST = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local data = cjson.decode(raw)
if type(data['value']) ~= 'table' then return 0 end
local kept, found = {}, false
for _, each in ipairs(data['value']) do
  if each == ARGV[1] then found = true else table.insert(kept, each) end
end
if not found then return 0 end
if #kept == 0 then redis.call('SET', KEYS[1], '{"value":[]}') return 1 end
data['value'] = kept
redis.call('SET', KEYS[1], cjson.encode(data))
return 1`;

// A lease is a key holding the owner, expiring by Redis's own clock (PX): an expired lease is gone.
// A key in its last millisecond (PTTL 0) still exists, yet LEASE reports it expired: CLAIM and
// RENEW treat it as gone too, so an owner told "expired" can never renew (a CI run saw it do so).
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] and redis.call('PTTL', KEYS[1]) ~= 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('PTTL', KEYS[1]) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

const LEASE = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
return {value, redis.call('PTTL', KEYS[1])}`;

/**
 * Coordination for `@keyv/redis`: small Lua scripts (`EVAL`), each run atomically by the server,
 * on the keys Keyv itself uses. Lease expiry is a Redis TTL: the server's clock decides.
 */
export class RedisCoordinator implements Coordinator {
  readonly coordination = 'atomic';
  readonly #client: () => Promise<RedisScripting>;
  readonly #rawKey: (key: string) => string;

  constructor(client: () => Promise<RedisScripting>, rawKey: (key: string) => string) {
    this.#client = client;
    this.#rawKey = rawKey;
  }

  async addToList(key: string, id: string): Promise<void> {
    await this.#eval(ADD_TO_LIST, key, escapeString(id), encodeEnvelope([id]));
  }

  async removeFromList(key: string, id: string): Promise<void> {
    await this.#eval(REMOVE_FROM_LIST, key, escapeString(id));
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.#eval(CLAIM, key, this.#leaseValue(owner), String(leaseMs))) === 1;
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.#eval(RENEW, key, this.#leaseValue(owner), String(leaseMs))) === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.#eval(RELEASE, key, this.#leaseValue(owner));
  }

  async lease(key: string): Promise<JobLease | undefined> {
    const reply = await this.#eval(LEASE, key);
    if (!Array.isArray(reply)) return undefined;
    const [value, remaining] = reply as [string, number];
    const lease = decodeEnvelope<StoredLease>(value);
    return lease === undefined ? undefined : { owner: lease.owner, expiresInMs: Number(remaining) };
  }

  #leaseValue(owner: string): string {
    return encodeEnvelope({ owner } satisfies StoredLease);
  }

  async #eval(script: string, key: string, ...values: string[]): Promise<unknown> {
    const client = await this.#client();
    return client.eval(script, { keys: [this.#rawKey(key)], arguments: values });
  }
}

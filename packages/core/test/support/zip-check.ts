// A strict ZIP reader for tests, written from PKWARE's APPNOTE and independent of any ZIP library:
// what `unzip -t` checks, without needing `unzip` on the machine. It walks the end record, the
// central directory and every local header, inflates each entry with node:zlib, and checks
// sizes, CRC-32, names and layout (entries back to back from byte 0 up to the directory).
import { inflateRawSync } from 'node:zlib';

export interface CheckedZipEntry {
  name: string;
  /** The DOS date and time of the entry, read as UTC. */
  date: Date;
  /** 0 stored, 8 deflated. */
  method: number;
  directory: boolean;
  /** MS-DOS attributes (the low byte of the external attributes). */
  dosAttributes: number;
  data: Uint8Array;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value >>> 0;
});

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function fail(message: string): never {
  throw new Error(`Invalid ZIP: ${message}`);
}

/** Reads and verifies every entry of `bytes`, in the order of the central directory; throws on the first fault. */
export function checkZip(bytes: Uint8Array): CheckedZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  if (bytes.byteLength < 22) fail('shorter than an end record');
  let end = -1;
  for (let at = bytes.byteLength - 22; at >= Math.max(0, bytes.byteLength - 22 - 0xffff); at -= 1) {
    if (u32(at) === 0x06054b50 && at + 22 + u16(at + 20) === bytes.byteLength) {
      end = at;
      break;
    }
  }
  if (end === -1) fail('no end of central directory record');
  if (u16(end + 4) !== 0 || u16(end + 6) !== 0) fail('multi-disk archive');
  const count = u16(end + 10);
  if (u16(end + 8) !== count) fail('entry counts disagree');
  const directorySize = u32(end + 12);
  const directoryOffset = u32(end + 16);
  if (directoryOffset + directorySize !== end) fail('the central directory does not end where the end record starts');

  const decoder = new TextDecoder('utf-8', { fatal: true });
  const entries: CheckedZipEntry[] = [];
  const names = new Set<string>();
  let at = directoryOffset;
  let expectedLocal = 0;
  for (let index = 0; index < count; index += 1) {
    if (u32(at) !== 0x02014b50) fail(`entry ${index}: no central directory header`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const time = u16(at + 12);
    const day = u16(at + 14);
    const crc = u32(at + 16);
    const compressedSize = u32(at + 20);
    const size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const external = u32(at + 38);
    const local = u32(at + 42);
    const rawName = bytes.subarray(at + 46, at + 46 + nameLength);
    if (!(flags & 0x800) && rawName.some((byte) => byte > 0x7f)) fail(`entry ${index}: a non-ASCII name without the UTF-8 flag`);
    const name = decoder.decode(rawName);
    if (names.has(name)) fail(`${name}: twice`);
    names.add(name);
    if (flags & 0x1) fail(`${name}: encrypted`);
    if (method !== 0 && method !== 8) fail(`${name}: compression method ${method}`);
    at += 46 + nameLength + extraLength + commentLength;

    if (local !== expectedLocal) fail(`${name}: its local header is at ${local}, expected ${expectedLocal}`);
    if (u32(local) !== 0x04034b50) fail(`${name}: no local header`);
    const localFlags = u16(local + 6);
    if (localFlags !== flags || u16(local + 8) !== method) fail(`${name}: local header and directory disagree`);
    const localNameLength = u16(local + 26);
    if (decoder.decode(bytes.subarray(local + 30, local + 30 + localNameLength)) !== name) fail(`${name}: local name differs`);
    const dataStart = local + 30 + localNameLength + u16(local + 28);
    const dataEnd = dataStart + compressedSize;
    if (dataEnd > directoryOffset) fail(`${name}: data runs into the central directory`);
    const raw = bytes.subarray(dataStart, dataEnd);
    const data = method === 8 ? new Uint8Array(inflateRawSync(raw)) : raw;
    if (data.byteLength !== size) fail(`${name}: ${data.byteLength} bytes, the directory says ${size}`);
    if (crc32(data) !== crc) fail(`${name}: CRC-32 mismatch`);
    expectedLocal = dataEnd;
    if (flags & 0x8) {
      // Data descriptor, with or without its signature.
      const signed = u32(dataEnd) === 0x08074b50 ? 4 : 0;
      if (u32(dataEnd + signed) !== crc || u32(dataEnd + signed + 4) !== compressedSize || u32(dataEnd + signed + 8) !== size) {
        fail(`${name}: data descriptor disagrees with the directory`);
      }
      expectedLocal = dataEnd + signed + 12;
    } else if (u32(local + 14) !== crc || u32(local + 18) !== compressedSize || u32(local + 22) !== size) {
      fail(`${name}: local sizes disagree with the directory`);
    }
    const date = new Date(Date.UTC((day >> 9) + 1980, ((day >> 5) & 0xf) - 1, day & 0x1f, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2));
    entries.push({ name, date, method, directory: name.endsWith('/'), dosAttributes: external & 0xff, data });
  }
  if (at !== end) fail('the central directory holds more than its entries');
  if (expectedLocal !== directoryOffset) fail('bytes between the last entry and the central directory');
  return entries;
}

/** The files (not folders) of a checked ZIP as UTF-8 text, by name. */
export function zipTexts(bytes: Uint8Array): Map<string, string> {
  const decoder = new TextDecoder();
  return new Map(
    checkZip(bytes)
      .filter((entry) => !entry.directory)
      .map((entry) => [entry.name, decoder.decode(entry.data)]),
  );
}

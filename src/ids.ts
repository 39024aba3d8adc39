import { randomBytes } from "node:crypto";

let lastMs = 0;
let seq = 0;
// Random bytes are drawn in bulk: one system call per 256 ids instead of one per id.
let pool = Buffer.alloc(0);
let offset = 0;

function random10(): Buffer {
  if (offset + 10 > pool.length) {
    pool = randomBytes(2560);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + 10);
  offset += 10;
  return out;
}

/**
 * A UUID version 7: time-ordered, so ids made later in this process sort later,
 * which keeps runs of one session in order even within one millisecond.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    seq++;
    if (seq > 0xfff) {
      ms = ++lastMs;
      seq = 0;
    }
  } else {
    lastMs = ms;
    seq = 0;
  }
  const b = Buffer.allocUnsafe(16);
  random10().copy(b, 6);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

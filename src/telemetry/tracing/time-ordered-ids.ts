import type { IdGenerator } from "@opentelemetry/sdk-trace-base";

const buf = Buffer.allocUnsafe(16);

function fillRandom(from: number, to: number): void {
  for (let i = from; i < to; i += 2) buf.writeUInt16BE((Math.random() * 0x10000) >>> 0, i);
}

/**
 * Trace ids that start with the time in milliseconds (48 bits) and end in 80 random bits, as
 * AWS X-Ray's do: stored traces and spans are keyed by trace id, and keys that grow with time
 * append to the indexes instead of touching a random page of them per row. The rightmost
 * 7 bytes stay random, as W3C Trace Context asks of ids that sampling may hash.
 */
export class TimeOrderedIdGenerator implements IdGenerator {
  generateTraceId(): string {
    buf.writeUIntBE(Date.now(), 0, 6);
    fillRandom(6, 16);
    return buf.toString("hex", 0, 16);
  }

  generateSpanId(): string {
    fillRandom(0, 8);
    if (buf.readUInt32BE(0) === 0 && buf.readUInt32BE(4) === 0) buf[7] = 1; // all zeros is the invalid span id
    return buf.toString("hex", 0, 8);
  }
}

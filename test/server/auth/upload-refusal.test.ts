import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Agent } from "../../../src/agent/index.js";
import { ScriptedModel } from "../../../src/model/scripted-model.js";
import { testOS } from "../../helpers/test-os.js";
import type { TestOS } from "../../helpers/test-os.js";
import { TEST_SECRET, signToken } from "../../helpers/jwt.js";

const TOTAL = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

let t: TestOS;
let port: number;
const serverSockets: net.Socket[] = [];
beforeAll(async () => {
  t = await testOS({
    agents: [new Agent({ id: "a1", name: "A1", model: ScriptedModel.reply("ok") })],
    auth: { jwt: { verificationKey: TEST_SECRET } },
    // Above the upload, so that only auth can be what refuses it.
    limits: { maxFileBytes: 200 * 1024 * 1024, maxRequestBytes: 200 * 1024 * 1024 },
  });
  port = Number(new URL(await t.listen()).port);
  (await t.os.app()).server.on("connection", (s: net.Socket) => serverSockets.push(s));
});
afterAll(() => t.cleanup());

interface Outcome {
  response: string;
  /** Bytes the client had written when the answer arrived. */
  sentAtAnswer: number;
  /** Bytes the server's socket read in all. */
  serverRead: number;
  heapGrowth: number;
}

/**
 * Streams a 100 MB multipart upload from one reused 64 KiB buffer, and keeps sending after the
 * answer until the server hangs up, so that a server that drains the body would read all of it.
 */
async function upload(authorization?: string): Promise<Outcome> {
  const boundary = "agentosBigUpload";
  const head =
    `POST /agents/a1/runs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    (authorization ? `Authorization: ${authorization}\r\n` : "") +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${TOTAL}\r\n\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n`;
  const memBefore = process.memoryUsage();
  const already = serverSockets.length;
  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.on("error", () => {}); // EPIPE or ECONNRESET once the server hangs up: expected.
  let response = "";
  let sent = 0;
  let sentAtAnswer = -1;
  socket.on("data", (d: Buffer) => {
    if (sentAtAnswer < 0) sentAtAnswer = sent;
    response += d.toString("latin1");
  });
  // events.once would reject on the expected EPIPE, so listen by hand.
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  const drained = () => new Promise<void>((r) => socket.once("drain", () => r()));
  socket.write(head);
  sent += head.length;
  while (sent < TOTAL && !socket.destroyed) {
    const n = Math.min(CHUNK.length, TOTAL - sent);
    sent += n;
    if (!socket.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n)))
      await Promise.race([drained(), closed]);
  }
  await closed;
  const mem = process.memoryUsage();
  const serverSocket = serverSockets[already];
  return {
    response,
    sentAtAnswer: sentAtAnswer < 0 ? sent : sentAtAnswer,
    serverRead: serverSocket.bytesRead,
    heapGrowth: mem.heapUsed + mem.arrayBuffers - (memBefore.heapUsed + memBefore.arrayBuffers),
  };
}

function expectRefusedUnread(o: Outcome, status: number, detail: string): void {
  expect(o.response.split("\r\n")[0]).toBe(
    `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : "Forbidden"}`,
  );
  expect(o.response).toMatch(/\r\nconnection: close\r\n/i);
  expect(JSON.parse(o.response.slice(o.response.indexOf("\r\n\r\n") + 4))).toEqual({ detail });
  // The answer came while most of the upload was still unsent, and the server read only a fraction.
  expect(o.sentAtAnswer).toBeLessThan(TOTAL / 4);
  expect(o.serverRead).toBeLessThan(TOTAL / 4);
  expect(o.heapGrowth).toBeLessThan(TOTAL / 2);
}

it("answers 401 to an unauthorized 100 MB upload without reading it", async () => {
  expectRefusedUnread(await upload(), 401, "Authorization header missing");
});

it("answers 403 to a 100 MB upload with a token lacking agents:run, without reading it", async () => {
  const token = await signToken(TEST_SECRET, { scopes: ["agents:read"] });
  expectRefusedUnread(
    await upload(`Bearer ${token}`),
    403,
    "Insufficient permissions. Required scope(s): agents:run",
  );
});

it("keeps the connection open after refusing a request that had no body", async () => {
  const agent = new http.Agent({ keepAlive: true });
  try {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`http://127.0.0.1:${port}/agents`, { agent }, resolve).on("error", reject),
    );
    res.resume();
    expect(res.statusCode).toBe(401);
    expect(res.headers.connection).toBe("keep-alive");
  } finally {
    agent.destroy();
  }
});

import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UrlFetchError, blockedReason, isAllowed, safeFetch } from "../../src/knowledge/index.js";
import type { ResolvedAddress } from "../../src/knowledge/index.js";

let server: http.Server;
let base: string;
let port: number;
const seenHosts: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seenHosts.push(String(req.headers.host));
    const url = new URL(req.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/doc.md":
        res.writeHead(200, { "content-type": "text/markdown; charset=utf-8" });
        return res.end("# Hello\n\nFrom the loopback server.");
      case "/to-private":
        res.writeHead(302, { location: "http://10.0.0.1/secret" });
        return res.end();
      case "/to-metadata-name":
        res.writeHead(301, { location: "http://metadata.internal.test/latest/meta-data/" });
        return res.end();
      case "/to-doc":
        res.writeHead(307, { location: "/doc.md" });
        return res.end();
      case "/loop":
        res.writeHead(302, { location: "/loop" });
        return res.end();
      case "/image":
        res.writeHead(200, { "content-type": "image/png" });
        return res.end(Buffer.alloc(10));
      case "/big-declared":
        res.writeHead(200, { "content-type": "text/plain", "content-length": "5000" });
        return res.end("x".repeat(5000));
      case "/big-chunked":
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("x".repeat(3000));
        return res.end("y".repeat(3000));
      case "/hang":
        return; // never answers
      case "/missing":
        res.writeHead(404);
        return res.end();
      default:
        res.writeHead(500);
        res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A resolver that knows a few test names, and records what it was asked. */
function resolver(table: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    asked.push(host);
    const found = table[host];
    if (!found) throw new Error(`ENOTFOUND ${host}`);
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { resolve, asked };
}

const refusal = (p: Promise<unknown>) => expect(p).rejects.toBeInstanceOf(UrlFetchError);

describe("safe URL fetching refuses internal addresses", () => {
  it("refuses loopback, private and metadata IP literals before connecting", async () => {
    const before = seenHosts.length;
    await expect(safeFetch(`${base}/doc.md`)).rejects.toThrow(/127\.0\.0\.1 is a loopback address/);
    await expect(safeFetch("http://10.0.0.1/")).rejects.toThrow(/private address/);
    await expect(safeFetch("http://169.254.169.254/latest/meta-data/")).rejects.toThrow(/cloud metadata/);
    await expect(safeFetch("http://[fd00:ec2::254]/")).rejects.toThrow(/cloud metadata/);
    await expect(safeFetch("http://[::ffff:127.0.0.1]/")).rejects.toThrow(/loopback/);
    await expect(safeFetch("http://100.64.1.1/")).rejects.toThrow(/carrier-grade NAT/);
    expect(seenHosts.length).toBe(before); // nothing reached the server
  });

  it("refuses a name that resolves to loopback (system resolver: localhost; injected: any name)", async () => {
    await expect(safeFetch(`http://localhost:${port}/doc.md`)).rejects.toThrow(
      /localhost resolves to .* loopback/,
    );
    const { resolve } = resolver({ "intranet.test": ["127.0.0.1"] });
    await refusal(safeFetch(`http://intranet.test:${port}/doc.md`, { resolve }));
  });

  it("refuses a name when any one of its addresses is private", async () => {
    const { resolve } = resolver({ "mixed.test": ["93.184.216.34", "192.168.1.10"] });
    await expect(safeFetch("http://mixed.test/", { resolve })).rejects.toThrow(
      /192\.168\.1\.10, which is a private address/,
    );
  });

  it("refuses other schemes and malformed URLs", async () => {
    await expect(safeFetch("file:///etc/passwd")).rejects.toThrow(/Only http and https/);
    await expect(safeFetch("ftp://example.com/x")).rejects.toThrow(/Only http and https/);
    await expect(safeFetch("not a url")).rejects.toThrow(/not a valid URL/);
  });

  it("checks every redirect hop: an allowed loopback server cannot redirect to a private address or name", async () => {
    const allowedHosts = ["127.0.0.1"];
    await expect(safeFetch(`${base}/to-private`, { allowedHosts })).rejects.toThrow(
      /Refused to fetch http:\/\/10\.0\.0\.1: 10\.0\.0\.1 is a private address/,
    );
    const { resolve } = resolver({ "metadata.internal.test": ["169.254.169.254"] });
    await expect(safeFetch(`${base}/to-metadata-name`, { allowedHosts, resolve })).rejects.toThrow(
      /resolves to 169\.254\.169\.254, which is a cloud metadata address/,
    );
    await expect(safeFetch(`${base}/loop`, { allowedHosts, maxRedirects: 3 })).rejects.toThrow(
      /Too many redirects/,
    );
  });
});

describe("safe URL fetching from an allowed host", () => {
  it("fetches from an explicitly allowed loopback server, following a same-host redirect", async () => {
    const res = await safeFetch(`${base}/to-doc`, { allowedHosts: ["127.0.0.0/8"] });
    expect(res.data.toString()).toBe("# Hello\n\nFrom the loopback server.");
    expect(res.contentType).toBe("text/markdown; charset=utf-8");
    expect(res.url).toBe(`${base}/doc.md`);
    expect(res.filename).toBe("doc.md");
  });

  it("connects to the address it checked, with the URL's host name in the Host header", async () => {
    const { resolve, asked } = resolver({ "docs.internal.test": ["127.0.0.1"] });
    const res = await safeFetch(`http://docs.internal.test:${port}/doc.md`, {
      resolve,
      allowedHosts: ["docs.internal.test"],
    });
    expect(res.data.toString()).toContain("From the loopback server");
    expect(asked).toEqual(["docs.internal.test"]); // resolved once; the socket used that answer
    expect(seenHosts[seenHosts.length - 1]).toBe(`docs.internal.test:${port}`);
  });

  it("enforces the content type, the size limit (declared or streamed), the status and the timeout", async () => {
    const allowedHosts = ["127.0.0.1"];
    await expect(
      safeFetch(`${base}/image`, { allowedHosts, acceptTypes: (mime) => mime.startsWith("text/") }),
    ).rejects.toThrow(/Unsupported content type 'image\/png'/);
    await expect(safeFetch(`${base}/big-declared`, { allowedHosts, maxBytes: 4096 })).rejects.toThrow(
      /larger than the limit of 4096/,
    );
    await expect(safeFetch(`${base}/big-chunked`, { allowedHosts, maxBytes: 4096 })).rejects.toThrow(
      /larger than the limit/,
    );
    await expect(safeFetch(`${base}/missing`, { allowedHosts })).rejects.toThrow(/HTTP 404/);
    const started = Date.now();
    await expect(safeFetch(`${base}/hang`, { allowedHosts, timeoutMs: 300 })).rejects.toThrow(/Timed out/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

it("classifies addresses, including IPv6 forms that carry an IPv4 address", () => {
  expect(blockedReason("8.8.8.8")).toBeUndefined();
  expect(blockedReason("2606:4700::1111")).toBeUndefined();
  expect(blockedReason("172.31.255.255")).toBe("a private address");
  expect(blockedReason("172.32.0.1")).toBeUndefined();
  expect(blockedReason("fe80::1")).toBe("a link-local address");
  expect(blockedReason("::1")).toBe("a loopback address");
  expect(blockedReason("::ffff:7f00:1")).toBe("a loopback address");
  expect(blockedReason("64:ff9b::a00:1")).toBe("a private address"); // NAT64 of 10.0.0.1
  expect(blockedReason("64:ff9b::808:808")).toBeUndefined(); // NAT64 of 8.8.8.8
  expect(blockedReason("2002:a9fe:a9fe::1")).toBe("a cloud metadata address"); // 6to4 of 169.254.169.254
  expect(isAllowed("x", "10.1.2.3", ["10.1.0.0/16"])).toBe(true);
  expect(isAllowed("x", "10.2.0.1", ["10.1.0.0/16"])).toBe(false);
  expect(isAllowed("Intranet.Test", "10.2.0.1", ["intranet.test"])).toBe(true);
});

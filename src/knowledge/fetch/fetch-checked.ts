import { lookup } from "node:dns/promises";
import http from "node:http";
import type { IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { UrlFetchError, checkAddress, checkUrl, hostOf } from "./safe-fetch.js";
import type { FetchPolicy, FetchedResource, ResolvedAddress } from "./safe-fetch.js";

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

const systemResolve = async (hostname: string): Promise<ResolvedAddress[]> =>
  lookup(hostname, { all: true, verbatim: true });

/** The network half of `safeFetch`, loaded on first use: see there. */
export async function fetchChecked(
  url: string,
  policy: FetchPolicy = {},
  signal?: AbortSignal,
): Promise<FetchedResource> {
  const maxBytes = policy.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeout = AbortSignal.timeout(policy.timeoutMs ?? 15_000);
  const stop = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let current = checkUrl(url, policy);
  for (let hop = 0; ; hop++) {
    const address = await resolveChecked(current, policy, stop);
    const res = await request(current, address, stop);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.destroy();
      if (hop >= (policy.maxRedirects ?? 5)) throw new UrlFetchError(`Too many redirects fetching ${url}`);
      let next: URL;
      try {
        next = new URL(res.headers.location, current);
      } catch {
        throw new UrlFetchError(`Invalid redirect location '${res.headers.location}'`);
      }
      current = checkUrl(next.href, policy);
      continue;
    }
    if (status < 200 || status >= 300) {
      res.destroy();
      throw new UrlFetchError(`Fetching ${current.href} failed: HTTP ${status}`);
    }
    const contentType = String(res.headers["content-type"] ?? "");
    const mime = contentType.split(";")[0].trim().toLowerCase();
    if (policy.acceptTypes && !policy.acceptTypes(mime)) {
      res.destroy();
      throw new UrlFetchError(`Unsupported content type '${mime || "none"}' at ${current.href}`);
    }
    const declared = Number(res.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      throw new UrlFetchError(`${current.href} is larger than the limit of ${maxBytes} bytes`);
    }
    const data = await readBody(res, maxBytes, current.href, stop);
    const segment = current.pathname.split("/").pop();
    return { data, contentType, url: current.href, filename: segment ? safeDecode(segment) : undefined };
  }
}

async function resolveChecked(u: URL, policy: FetchPolicy, signal: AbortSignal): Promise<ResolvedAddress> {
  const host = hostOf(u);
  const family = isIP(host);
  let addresses: ResolvedAddress[];
  if (family) addresses = [{ address: host, family }];
  else {
    try {
      addresses = await abortableResolve((policy.resolve ?? systemResolve)(host), signal);
    } catch (err) {
      if (signal.aborted) throw timeoutOr(signal, u);
      throw new UrlFetchError(`Could not resolve ${host}: ${(err as Error).message}`);
    }
  }
  if (addresses.length === 0) throw new UrlFetchError(`${host} has no addresses`);
  // Every address must pass: the connection could otherwise be steered to the one that does not.
  for (const a of addresses) checkAddress(u, host, a.address, policy);
  return addresses[0];
}

function abortableResolve<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      p.catch(() => {}); // abandoned: its failure is nobody's
      return reject(signal.reason);
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function request(u: URL, pinned: ResolvedAddress, signal: AbortSignal): Promise<IncomingMessage> {
  // The socket connects to the address that was checked, whatever the resolver would say now.
  const lookupPinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (err: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
    else
      (callback as (err: null, address: string, family: number) => void)(null, pinned.address, pinned.family);
  };
  const client = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(u, {
      method: "GET",
      lookup: lookupPinned,
      signal,
      headers: { "user-agent": "AgentOS-knowledge/1", accept: "*/*", "accept-encoding": "identity" },
    });
    req.once("response", resolve);
    req.once("error", (err) =>
      reject(
        signal.aborted
          ? timeoutOr(signal, u)
          : new UrlFetchError(`Fetching ${u.href} failed: ${err.message}`),
      ),
    );
    req.end();
  });
}

async function readBody(
  res: IncomingMessage,
  maxBytes: number,
  href: string,
  signal: AbortSignal,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw new UrlFetchError(`${href} is larger than the limit of ${maxBytes} bytes`);
      parts.push(chunk as Buffer);
    }
  } catch (err) {
    res.destroy();
    if (err instanceof UrlFetchError) throw err;
    if (signal.aborted) throw timeoutOr(signal, new URL(href));
    throw new UrlFetchError(`Reading ${href} failed: ${(err as Error).message}`);
  }
  return Buffer.concat(parts);
}

/** A timeout becomes a clear error; a caller's cancellation stays what it was. */
function timeoutOr(signal: AbortSignal, u: URL): unknown {
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === "TimeoutError" ? new UrlFetchError(`Timed out fetching ${u.href}`) : signal.reason;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

import { isIP } from "node:net";
import { blockedReason, isAllowed } from "./address-policy.js";

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** How knowledge fetches URLs. Every default errs on the side of refusing. */
export interface FetchPolicy {
  /**
   * Hosts that may be fetched although they are loopback, private or link-local: names
   * ("intranet.local"), addresses ("127.0.0.1") or CIDR ranges ("10.20.0.0/16"). Default none.
   */
  allowedHosts?: string[];
  /** Largest body, in bytes. Default 10 MiB. */
  maxBytes?: number;
  /** For the whole fetch, redirects included. Default 15 s. */
  timeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Content types accepted (without parameters); undefined accepts any. */
  acceptTypes?: (mime: string) => boolean;
  /** Resolves a host name to all its addresses. Default: the system resolver (dns.lookup, all: true). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

export interface FetchedResource {
  data: Buffer;
  /** The Content-Type header as sent. */
  contentType: string;
  /** The URL the body came from, after redirects. */
  url: string;
  /** The last path segment of that URL, for the extension. */
  filename: string | undefined;
}

/** A URL that may not be fetched (refused address, scheme) or that failed to load. */
export class UrlFetchError extends Error {
  override readonly name = "UrlFetchError";
}

/** Checks what can be checked without the network: the scheme, and a literal IP address. */
export function checkUrl(url: string, policy: FetchPolicy = {}): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UrlFetchError(`'${url.slice(0, 200)}' is not a valid URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new UrlFetchError(`Only http and https URLs can be fetched, not ${u.protocol.replace(/:$/, "")}`);
  const host = hostOf(u);
  if (isIP(host)) checkAddress(u, host, host, policy);
  return u;
}

/**
 * Fetches a URL from the server without letting it reach internal addresses: the host name is
 * resolved, every address is checked, and the connection goes to the checked address (so a DNS
 * answer cannot change in between). Redirects are followed by hand, each hop checked the same way.
 * The HTTP client loads on first use.
 */
export async function safeFetch(
  url: string,
  policy: FetchPolicy = {},
  signal?: AbortSignal,
): Promise<FetchedResource> {
  const { fetchChecked } = await import("./fetch-checked.js");
  return fetchChecked(url, policy, signal);
}

export function hostOf(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, "");
}

export function checkAddress(u: URL, host: string, address: string, policy: FetchPolicy): void {
  const reason = blockedReason(address);
  if (reason && !isAllowed(host, address, policy.allowedHosts ?? []))
    throw new UrlFetchError(
      `Refused to fetch ${u.origin}: ${host === address ? host : `${host} resolves to ${address}, which`} is ${reason}`,
    );
}

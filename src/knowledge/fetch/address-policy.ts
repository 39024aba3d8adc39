import { BlockList, isIP } from "node:net";

/** Ranges a server-side fetch must not reach unless allowed, with why (checked in order). */
const RANGES: [string, number, "ipv4" | "ipv6", string][] = [
  ["169.254.169.254", 32, "ipv4", "a cloud metadata address"],
  ["fd00:ec2::254", 128, "ipv6", "a cloud metadata address"],
  ["0.0.0.0", 8, "ipv4", "an unspecified address"],
  ["127.0.0.0", 8, "ipv4", "a loopback address"],
  ["10.0.0.0", 8, "ipv4", "a private address"],
  ["172.16.0.0", 12, "ipv4", "a private address"],
  ["192.168.0.0", 16, "ipv4", "a private address"],
  ["100.64.0.0", 10, "ipv4", "a carrier-grade NAT address"],
  ["169.254.0.0", 16, "ipv4", "a link-local address"],
  ["192.0.0.0", 24, "ipv4", "a reserved address"],
  ["192.0.2.0", 24, "ipv4", "a documentation address"],
  ["198.51.100.0", 24, "ipv4", "a documentation address"],
  ["203.0.113.0", 24, "ipv4", "a documentation address"],
  ["198.18.0.0", 15, "ipv4", "a benchmarking address"],
  ["224.0.0.0", 4, "ipv4", "a multicast address"],
  ["240.0.0.0", 4, "ipv4", "a reserved address"],
  ["::", 128, "ipv6", "an unspecified address"],
  ["::1", 128, "ipv6", "a loopback address"],
  ["fc00::", 7, "ipv6", "a private (unique local) address"],
  ["fe80::", 10, "ipv6", "a link-local address"],
  ["fec0::", 10, "ipv6", "a site-local address"],
  ["ff00::", 8, "ipv6", "a multicast address"],
  ["2001:db8::", 32, "ipv6", "a documentation address"],
  ["100::", 64, "ipv6", "a discard address"],
];

let lists: { list: BlockList; reason: string }[] | undefined;

function rangeLists() {
  // BlockList also matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against IPv4 ranges.
  lists ??= RANGES.map(([net, prefix, type, reason]) => {
    const list = new BlockList();
    list.addSubnet(net, prefix, type);
    return { list, reason };
  });
  return lists;
}

/** The IPv4 address an IPv6 address carries by translation (NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedIPv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0))
    return v4(words[6], words[7]);
  if (words[0] === 0x2002) return v4(words[1], words[2]);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (with "::" and a dotted IPv4 tail expanded). */
function ipv6Words(address: string): number[] | undefined {
  let text = address.split("%")[0].toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = text.includes("::") ? 8 - h.length - t.length : 0;
  const words = [...h, ...Array<string>(Math.max(0, fill)).fill("0"), ...t].map((w) => parseInt(w, 16));
  return words.length === 8 && words.every((w) => w >= 0 && w <= 0xffff) ? words : undefined;
}

/** Why an address must not be fetched (loopback, private, link-local, metadata, ...), or undefined when it is public. */
export function blockedReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return "not an IP address";
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const { list, reason } of rangeLists()) if (list.check(address, type)) return reason;
  const inner = family === 6 ? embeddedIPv4(address) : undefined;
  return inner ? blockedReason(inner) : undefined;
}

/**
 * Whether `allowed` (host names, IP addresses or CIDR ranges such as "10.1.0.0/16") lets a
 * request to `host`, resolved to `address`, through despite the address being blocked.
 */
export function isAllowed(host: string, address: string, allowed: readonly string[]): boolean {
  const family = isIP(address);
  for (const entry of allowed) {
    const [net, bits] = entry.split("/");
    const netFamily = isIP(net);
    if (netFamily === 0) {
      if (entry.toLowerCase() === host.toLowerCase()) return true;
      continue;
    }
    const list = new BlockList();
    const type = netFamily === 4 ? "ipv4" : "ipv6";
    const prefix = bits === undefined ? (netFamily === 4 ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix)) continue;
    list.addSubnet(net, prefix, type);
    if (list.check(address, family === 4 ? "ipv4" : "ipv6")) return true;
  }
  return false;
}

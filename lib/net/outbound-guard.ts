// The SSRF guard for every request the server sends to a URL someone typed in (webhook targets,
// upstream registries): such a URL must not reach inside our network unless an administrator
// allowed that network. The address check runs inside the socket's DNS lookup, on the very
// addresses the socket will connect to, so a name that resolves to a public address when the URL
// is saved and to 127.0.0.1 when the request runs (DNS rebinding) is still refused. Literal IP
// hosts never go through a lookup (node:net connects to them directly), so they are checked
// synchronously before the request starts.
import { lookup as dnsLookup, promises as dnsPromises, type LookupAddress } from 'node:dns'
import { BlockList, isIP } from 'node:net'

export interface OutboundRules {
  /** CIDRs or single IPs that may be reached although private, e.g. `['127.0.0.1/32', '10.0.0.0/8']`. */
  allowedNetworks: string[]
}

/** What a caller of the guard says about itself, for the reasons it gives. */
export interface OutboundPurpose {
  /** The setting that allows private networks, named in refusals, e.g. `WEBHOOK_ALLOWED_NETWORKS`. */
  setting: string
  /** What the URL is, e.g. `a webhook target`. */
  target: string
  /** Where credentials go instead of the URL, e.g. `use the Authorization header setting`. */
  credentialsAdvice: string
}

type Family = 'ipv4' | 'ipv6'

interface Rule {
  network: string
  /** How the reason describes an address in this network, e.g. "a loopback address". */
  what: string
  list: BlockList
}

function familyOf(address: string): Family {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4'
}

function rule(network: string, what: string): Rule {
  const [address, prefix] = network.split('/')
  const list = new BlockList()
  list.addSubnet(address, Number(prefix), familyOf(address))
  return { network, what, list }
}

// Cloud metadata endpoints hand out credentials of the machine we run on. Allowing a whole private
// range (say 169.254.0.0/16 for a link-local receiver) must not open them as a side effect, so they
// are reachable only when the exact address is listed (a /32 or /128 entry, or the bare address).
const METADATA_RULES: Rule[] = [
  rule('169.254.169.254/32', 'a cloud metadata address'), // AWS, GCP, Azure, OpenStack, DigitalOcean
  rule('fd00:ec2::254/128', 'a cloud metadata address'), // AWS over IPv6
  rule('100.100.100.200/32', 'a cloud metadata address'), // Alibaba Cloud
]

// The first match names the rule in the reason, so more specific networks come first.
const IPV4_RULES: Rule[] = [
  rule('0.0.0.0/8', 'an unspecified ("this network") address'),
  rule('127.0.0.0/8', 'a loopback address'),
  rule('10.0.0.0/8', 'a private address'),
  rule('172.16.0.0/12', 'a private address'),
  rule('192.168.0.0/16', 'a private address'),
  rule('169.254.0.0/16', 'a link-local address'),
  rule('100.64.0.0/10', 'a shared (CGNAT) address'),
  rule('192.0.0.0/24', 'a reserved (IETF protocol) address'),
  rule('192.0.2.0/24', 'a reserved (documentation) address'),
  rule('198.51.100.0/24', 'a reserved (documentation) address'),
  rule('203.0.113.0/24', 'a reserved (documentation) address'),
  rule('192.88.99.0/24', 'a reserved (6to4 relay) address'),
  rule('198.18.0.0/15', 'a reserved (benchmarking) address'),
  rule('224.0.0.0/4', 'a multicast address'),
  rule('255.255.255.255/32', 'the broadcast address'),
  rule('240.0.0.0/4', 'a reserved address'),
]

// IPv6 is checked the other way round: only global unicast (2000::/3) is reachable, minus the
// special blocks inside it. That covers ::, ::1, fc00::/7, fe80::/10, ff00::/8 and whatever IANA
// assigns later outside 2000::/3. Addresses that embed an IPv4 address are unwrapped first.
const IPV6_RULES: Rule[] = [
  rule('::/128', 'an unspecified address'),
  rule('::1/128', 'a loopback address'),
  rule('fc00::/7', 'a private (unique local) address'),
  rule('fe80::/10', 'a link-local address'),
  rule('ff00::/8', 'a multicast address'),
  rule('2001::/32', 'a reserved (Teredo) address'),
  rule('2001:db8::/32', 'a reserved (documentation) address'),
  rule('3fff::/20', 'a reserved (documentation) address'),
  rule('2001:10::/28', 'a reserved (ORCHID) address'),
  rule('2001:20::/28', 'a reserved (ORCHIDv2) address'),
]
const IPV6_GLOBAL_UNICAST = rule('2000::/3', 'a global unicast address')
const IPV6_NOT_GLOBAL: Pick<Rule, 'network' | 'what'> = { network: 'outside 2000::/3', what: 'not a global unicast address' }

/** IPv6 networks whose low 32 bits are the IPv4 address the packets end up at. */
const IPV4_MAPPED = rule('::ffff:0:0/96', 'IPv4-mapped')
const EMBEDDED_IPV4: Rule[] = [IPV4_MAPPED, rule('64:ff9b::/96', 'NAT64-translated')]

interface Verdict {
  ok: boolean
  reason: string
}

/**
 * Validates a list such as `127.0.0.1/32, 10.0.0.0/8 ::1/128` (commas and/or spaces) and returns its
 * entries. Throws an Error naming the first bad entry.
 */
export function parseAllowedNetworks(value: string): string[] {
  const entries = value.split(/[\s,]+/).filter((entry) => entry !== '')
  for (const entry of entries) {
    const problem = networkProblem(entry)
    if (problem) {
      throw new Error(`"${entry}" ${problem}; expected IP addresses or CIDR networks such as 10.0.0.0/8, 127.0.0.1 or fd00::/8`)
    }
  }
  return entries
}

function networkProblem(entry: string): string | null {
  const [address, prefix, extra] = entry.split('/')
  const version = isIP(address)
  if (version === 0 || extra !== undefined || address.includes('%')) return 'is not an IP address or CIDR network'
  if (version === 6 && IPV4_MAPPED.list.check(address, 'ipv6')) {
    // Addresses are unwrapped to IPv4 before they are matched, so such an entry would never match.
    return 'is an IPv4-mapped IPv6 address; write it in IPv4 form'
  }
  if (prefix === undefined) return null
  const max = version === 4 ? 32 : 128
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `has a prefix length outside 0-${max}`
  return null
}

interface CompiledRules {
  setting: string
  allowed: BlockList
  /** Entries naming exactly one address, canonical: the only way to allow a metadata address. */
  singleAddresses: Set<string>
}

function compileRules(rules: OutboundRules, setting: string): CompiledRules {
  const allowed = new BlockList()
  const singleAddresses = new Set<string>()
  for (const entry of parseAllowedNetworks(rules.allowedNetworks.join(','))) {
    const [address, prefix] = entry.split('/')
    const family = familyOf(address)
    if (prefix === undefined || Number(prefix) === (family === 'ipv4' ? 32 : 128)) {
      allowed.addAddress(address, family)
      singleAddresses.add(canonical(address))
    } else {
      allowed.addSubnet(address, Number(prefix), family)
    }
  }
  return { setting, allowed, singleAddresses }
}

/** Canonical text of an IP address without zone (IPv6 lower case and compressed), for exact comparisons. */
function canonical(address: string): string {
  const bare = address.replace(/%.*$/, '')
  return isIP(bare) === 6 ? new URL(`http://[${bare}]/`).hostname.slice(1, -1) : bare
}

/** The IPv4 address in the low 32 bits of an IPv6 address. */
function lowIpv4(address: string): string {
  const groups = canonical(address).split(':')
  const [high, low] = groups.slice(-2).map((group) => parseInt(group || '0', 16))
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
}

function judgeAddress(address: string, compiled: CompiledRules): Verdict {
  const family = familyOf(address)
  if (family === 'ipv6') {
    const embedding = EMBEDDED_IPV4.find((r) => r.list.check(address, family))
    if (embedding) {
      const inner = judgeAddress(lowIpv4(address), compiled)
      return inner.ok ? inner : { ok: false, reason: `${address} is ${embedding.what}, and ${inner.reason}` }
    }
  }
  const metadata = METADATA_RULES.find((r) => r.list.check(address, family))
  if (metadata) {
    if (compiled.singleAddresses.has(canonical(address))) return { ok: true, reason: '' }
    return {
      ok: false,
      reason: `${address} is ${metadata.what} (${metadata.network}); only an entry for exactly this address in ${compiled.setting} allows it`,
    }
  }
  const denied: Pick<Rule, 'network' | 'what'> | undefined =
    family === 'ipv4'
      ? IPV4_RULES.find((r) => r.list.check(address, family))
      : (IPV6_RULES.find((r) => r.list.check(address, family)) ?? (IPV6_GLOBAL_UNICAST.list.check(address, family) ? undefined : IPV6_NOT_GLOBAL))
  if (!denied || compiled.allowed.check(address, family)) return { ok: true, reason: '' }
  return { ok: false, reason: `${address} is ${denied.what} (${denied.network}); allow it with ${compiled.setting}` }
}

export type UrlCheck = { ok: true } | { ok: false; reason: string }

/**
 * Synchronous form check of a target URL: http(s) only, no credentials in the URL, and literal IP
 * hosts against the rules. Host names pass here; their addresses are checked when connecting.
 */
export function checkTargetUrl(url: string, rules: OutboundRules, purpose: OutboundPurpose): UrlCheck {
  const target = parseOutboundTarget(url, rules, purpose)
  return target.ok ? { ok: true } : target
}

/**
 * The check when a URL is saved: `checkTargetUrl`, then a host name is resolved (all addresses)
 * and refused when any address is one the rules forbid, or when it does not resolve, so a mistake
 * shows when it is made rather than at the first request. The connect-time check still runs on
 * every request: the name may point elsewhere by then.
 */
export async function checkTargetResolves(url: string, rules: OutboundRules, purpose: OutboundPurpose): Promise<UrlCheck> {
  const target = parseOutboundTarget(url, rules, purpose)
  if (!target.ok) return target
  if (isIP(target.host) !== 0) return { ok: true }
  let addresses: LookupAddress[]
  try {
    addresses = await dnsPromises.lookup(target.host, { all: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    return { ok: false, reason: `${target.host} does not resolve (${code}); ${purpose.target} must resolve when it is saved` }
  }
  for (const { address } of addresses) {
    const verdict = judgeAddress(address, target.compiled)
    if (!verdict.ok) return { ok: false, reason: `${target.host} resolves to ${address}: ${verdict.reason}` }
  }
  return { ok: true }
}

/** A URL that passed the form and literal-address checks, with the lookup its connections must use. */
export interface OutboundTarget {
  ok: true
  url: URL
  /** The host as node:net takes it: IPv6 without brackets. */
  host: string
  /** Pass as `lookup` to http(s).request or an Agent: host names connect only to allowed addresses. */
  lookup: GuardedLookup
  compiled: CompiledRules
}

export function parseOutboundTarget(url: string, rules: OutboundRules, purpose: OutboundPurpose): OutboundTarget | { ok: false; reason: string } {
  let parsed: URL
  try {
    // WHATWG parsing also normalises IPv4 spellings such as `127.1` or `0x7f.0.0.1` to `127.0.0.1`.
    parsed = new URL(url)
  } catch {
    return { ok: false, reason: `"${url}" is not a valid URL` }
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, reason: `only http and https URLs are allowed, not ${parsed.protocol}` }
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // They would end up in logs; every caller has a credentials setting of its own instead.
    return { ok: false, reason: `credentials in the URL are not allowed; ${purpose.credentialsAdvice}` }
  }
  let compiled: CompiledRules
  try {
    compiled = compileRules(rules, purpose.setting)
  } catch (error) {
    return { ok: false, reason: `allowed networks: ${(error as Error).message}` }
  }
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname
  if (isIP(host) !== 0) {
    const verdict = judgeAddress(host, compiled)
    if (!verdict.ok) return { ok: false, reason: verdict.reason }
  }
  return { ok: true, url: parsed, host, lookup: guardedLookup(compiled), compiled }
}

/** The error a guarded lookup fails a connection with; its message is the reason. */
export class TargetRefusedError extends Error {}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void
type LookupOptions = { family?: number | string; hints?: number; all?: boolean }
export type GuardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void

/**
 * A `lookup` for node:net that resolves like the default one but hands the socket only addresses
 * the rules allow. Disallowed addresses among allowed ones are dropped (the socket never tries
 * them); if none is left, the connection fails with the reason for the first one.
 */
function guardedLookup(compiled: CompiledRules): GuardedLookup {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0)
    dnsLookup(hostname, { family, hints: options.hints, all: true }, (error, addresses) => {
      if (error) return callback(error, '')
      const usable: LookupAddress[] = []
      const refusals: string[] = []
      for (const entry of addresses) {
        const verdict = judgeAddress(entry.address, compiled)
        if (verdict.ok) usable.push(entry)
        else refusals.push(verdict.reason)
      }
      if (usable.length === 0) {
        return callback(new TargetRefusedError(`${hostname} resolves to no allowed address: ${refusals.join('; ')}`), '')
      }
      if (options.all) callback(null, usable)
      else callback(null, usable[0].address, usable[0].family)
    })
  }
}

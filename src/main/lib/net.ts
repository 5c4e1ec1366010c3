// Addresses that mean "every interface": a server bound to one is reached locally on 127.0.0.1.
const WILDCARD = new Set(['0.0.0.0', '::', '']);

export function isWildcardHost(host: string): boolean {
  return WILDCARD.has(host);
}

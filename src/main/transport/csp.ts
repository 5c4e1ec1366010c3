// The page's Content-Security-Policy. The built page gets the strict one (meta tag and response
// header). `npm run dev` loads the page from Vite's dev server, whose React refresh preamble is an
// inline script, whose CSS arrives as injected <style> tags and whose hot reload talks over a
// WebSocket: that page gets a policy relaxed for exactly those, and only in dev.

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The policy for the page: strict for the built page, relaxed for Vite's dev server at `devServerUrl`. */
export function cspFor(devServerUrl?: string): string {
  if (!devServerUrl) return CONTENT_SECURITY_POLICY;
  const origin = new URL(devServerUrl).origin;
  const socket = origin.replace(/^http/, 'ws');
  return [
    `default-src 'self' ${origin}`,
    `script-src 'self' ${origin} 'unsafe-inline'`,
    `style-src 'self' ${origin} 'unsafe-inline'`,
    "img-src 'self' data:",
    `font-src 'self' ${origin}`,
    `connect-src 'self' ${origin} ${socket}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

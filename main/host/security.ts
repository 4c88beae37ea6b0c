// The renderer's Content-Security-Policy, the same for Electron and the browser host: only the
// app's own scripts, workers and styles, no eval, plugins only for the Blob URLs the app makes of
// its own PDFs; connections only back to where the page came from (the browser host's API and
// its event socket: 'self' covers ws:// to the same host).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets element styles (widths of the virtualised table, chart sizes).
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  // PDF.js draws issued documents in the page (preview, printing) from its bundled worker; where
  // the page's origin is opaque (file:// in Electron) it starts that worker through a blob: URL.
  "worker-src 'self' blob:",
  // "Open in a new window" shows a Blob URL made by the app itself (documents.pdf) in the
  // browser's PDF viewer, a plugin: that document inherits this policy, so without blob: here
  // its viewer is refused. Printing needs no frame-src: its frame is about:blank.
  "object-src blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** External pages the app may open in the system browser (help, regulators' registers). */
export const EXTERNAL_URL_ALLOW_LIST = [/^https:\/\/mercury\.vetrf\.ru\//, /^https:\/\/www\.customs\.gov\.cn\//, /^https:\/\/ref\.gs1\.org\//];

export function isAllowedExternalUrl(url: string): boolean {
  return EXTERNAL_URL_ALLOW_LIST.some((pattern) => pattern.test(url));
}

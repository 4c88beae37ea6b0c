// Files the app hands to the user from bytes an operation returned (base64): a Blob, a Blob URL
// and a download. The same code runs in Electron and in the browser host: a Blob URL needs
// neither a file path nor a server route.

/** The bytes of a base64 string as a Blob of the given MIME type. */
export function blobOfBase64(base64: string, type: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}

// The URL must outlive the call: a new window or the download reads it after we return.
// A minute is ample for files of a few MB; after that the memory is given back.
const URL_LIFETIME_MS = 60_000;

/** A URL of the Blob that stays valid for a minute. */
export function blobUrl(blob: Blob): string {
  const url = URL.createObjectURL(blob);
  setTimeout(() => URL.revokeObjectURL(url), URL_LIFETIME_MS);
  return url;
}

/** Saves the Blob as a file of that name (the browser's download, Electron's save dialog). */
export function saveBlob(blob: Blob, fileName: string): void {
  const link = document.createElement('a');
  link.href = blobUrl(blob);
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

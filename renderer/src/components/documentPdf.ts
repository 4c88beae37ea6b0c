// A registered document's PDF in the page: fetched from the registry (documents.pdf, base64),
// turned into a Blob URL and opened, saved or printed. The same code runs in Electron and in the
// browser host: a Blob URL needs neither a file path nor a server route.
import { api } from '../api/client';

export interface StoredPdf {
  blob: Blob;
  /** `<number>-v<version>.pdf`, the name it is saved under. */
  fileName: string;
}

/** The stored PDF of a document version; the registry checked it against its SHA-256. */
export async function fetchPdf(id: string): Promise<StoredPdf> {
  const pdf = await api.call('documents.pdf', { id });
  const binary = atob(pdf.pdf_base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { blob: new Blob([bytes], { type: 'application/pdf' }), fileName: `${pdf.number}-v${pdf.version}.pdf` };
}

// The URL must outlive the call: the new window or the print frame reads it after we return.
// A minute is ample for a document of tens of KB; after that the memory is given back.
const URL_LIFETIME_MS = 60_000;
function blobUrl(blob: Blob): string {
  const url = URL.createObjectURL(blob);
  setTimeout(() => URL.revokeObjectURL(url), URL_LIFETIME_MS);
  return url;
}

/** Opens the PDF in a new window (tab); false when the window was not opened (a pop-up blocker). */
export function openPdf(pdf: StoredPdf): boolean {
  return window.open(blobUrl(pdf.blob), '_blank') !== null;
}

export function savePdf(pdf: StoredPdf): void {
  const link = document.createElement('a');
  link.href = blobUrl(pdf.blob);
  link.download = pdf.fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/**
 * Prints through a hidden frame holding the PDF: the browser's PDF viewer prints the document
 * itself (not the app's page). The frame stays until the next print, since print() returns
 * before the dialog is done in some browsers.
 */
export function printPdf(pdf: StoredPdf): void {
  document.getElementById('pdf-print-frame')?.remove();
  const frame = document.createElement('iframe');
  frame.id = 'pdf-print-frame';
  frame.title = pdf.fileName;
  frame.setAttribute('aria-hidden', 'true');
  frame.style.position = 'fixed';
  frame.style.width = '0';
  frame.style.height = '0';
  frame.style.border = '0';
  frame.style.visibility = 'hidden';
  frame.onload = () => {
    frame.contentWindow?.focus();
    frame.contentWindow?.print();
  };
  frame.src = blobUrl(pdf.blob);
  document.body.appendChild(frame);
}

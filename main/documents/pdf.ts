// The PDF foundation every printed document shares: pdfmake with Noto Sans SC (Latin, Cyrillic
// and Chinese in one family, installed from npm with the app and subset on embedding), locked
// down so a document definition can never make it fetch a URL or read a file other than our
// fonts, and with fixed metadata so the same definition gives the same bytes.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The slice of pdfmake 0.3's server API we use (the package ships no type declarations). */
interface PdfMake {
  setFonts(fonts: Record<string, Record<'normal' | 'bold' | 'italics' | 'bolditalics', string>>): void;
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
  setLocalAccessPolicy(policy: (path: string) => boolean): void;
  createPdf(doc: object): { getBuffer(): Promise<Buffer> };
}

/** A pdfmake document definition (https://pdfmake.github.io/docs/0.3/document-definition-object/). */
export type DocDefinition = Record<string, unknown> & { content: unknown };

export const FONT_FAMILY = 'NotoSansSC';

function fontFile(weight: '400Regular' | '700Bold'): string {
  const dir = dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
  return join(dir, weight, `NotoSansSC_${weight}.ttf`);
}

const REGULAR = fontFile('400Regular');
const BOLD = fontFile('700Bold');
const FONT_FILES = new Set([REGULAR, BOLD]);
/** The font files, for documents drawn with pdfkit directly (labels). */
export const FONT_PATHS = { regular: REGULAR, bold: BOLD } as const;

const pdfmake = require('pdfmake') as PdfMake;
// Noto Sans SC has no italics: italic styles fall back to the upright faces.
pdfmake.setFonts({ [FONT_FAMILY]: { normal: REGULAR, bold: BOLD, italics: REGULAR, bolditalics: BOLD } });
// Offline by design: no URL is ever fetched, and the only files read are the two fonts above.
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy((path) => FONT_FILES.has(path));

export interface PdfMeta {
  title: string;
  /** The document's date (e.g. its issue time): written as CreationDate and ModDate instead of "now". */
  createdAt: number;
  author?: string;
  subject?: string;
}

/**
 * Renders a document definition to PDF bytes. Metadata is fixed (producer, creator, dates from
 * `meta.createdAt`) and pdfkit writes no random file ID for unencrypted files, so the same
 * definition and meta give byte-identical PDFs.
 */
export async function renderPdf(doc: DocDefinition, meta: PdfMeta): Promise<Uint8Array> {
  const at = new Date(meta.createdAt);
  const definition = {
    pageSize: 'A4',
    ...doc,
    defaultStyle: { font: FONT_FAMILY, fontSize: 9, ...(doc.defaultStyle as object | undefined) },
    info: {
      title: meta.title,
      author: meta.author,
      subject: meta.subject,
      creator: 'PlantDesk',
      producer: 'PlantDesk (pdfmake)',
      creationDate: at,
      modDate: at,
    },
  };
  const buffer = await pdfmake.createPdf(definition).getBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

// The PDF foundation every printed document shares: pdfmake with Noto Sans SC (Latin, Cyrillic
// and Chinese in one family, installed from npm with the app and subset on embedding), locked
// down so a document definition can never make it fetch a URL or read a file other than our
// fonts, and with fixed metadata so the same definition gives the same bytes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The slice of pdfmake 0.3's server API we use (the package ships no type declarations). */
interface PdfMake {
  setFonts(fonts: Record<string, Record<'normal' | 'bold' | 'italics' | 'bolditalics', string>>): void;
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
  setLocalAccessPolicy(policy: (path: string) => boolean): void;
  virtualfs: { writeFileSync(name: string, content: Uint8Array): void };
  createPdf(doc: object): { getBuffer(): Promise<Buffer> };
}

/** The slice of fontkit 2 we use: pdfkit's own instance, which parses every font pdfkit opens. */
interface FontKit {
  create(bytes: Uint8Array): object;
  registerFormat(format: { probe(bytes: Uint8Array): boolean; new (stream: { buffer: Uint8Array }): object }): void;
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
/** The font files (what packaging keeps of the fonts package; other renderers read them too). */
export const FONT_PATHS = { regular: REGULAR, bold: BOLD } as const;

// pdfkit parses the font it is given for every document: for these 10 MB CJK fonts, reading the
// files and decoding their tables (and warming the glyph metrics again) was more than half of a
// certificate's time (`npm run bench`, certificate-ms). So each font is read and parsed once per
// process, on first use, and pdfkit gets a 4-byte handle for it: fontkit's `create` asks each
// registered format whether it recognises the bytes, and ours recognises a handle and answers
// with the parsed font (a constructor may return another object). Sharing is safe: every call
// that reads the font is synchronous, so concurrent renders never interleave inside one, and
// each document keeps its own subset and layout cache.
const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as FontKit;
const parsedFonts = new Map<Uint8Array, { file: string; font?: object }>();
fontkit.registerFormat(
  class ParsedFont {
    static probe(bytes: Uint8Array): boolean {
      return parsedFonts.has(bytes);
    }
    constructor(stream: { buffer: Uint8Array }) {
      const entry = parsedFonts.get(stream.buffer)!;
      entry.font ??= fontkit.create(readFileSync(entry.file));
      return entry.font;
    }
  },
);

function fontHandle(file: string): Uint8Array {
  // Four zero bytes: no font format (TrueType, OpenType, WOFF, collections) starts like that.
  const handle = new Uint8Array(4);
  parsedFonts.set(handle, { file });
  return handle;
}

/** The fonts as pdfkit takes them (`registerFont`, `font`), parsed once per process. */
export const FONT_SOURCES = { regular: fontHandle(REGULAR), bold: fontHandle(BOLD) } as const;

const pdfmake = require('pdfmake') as PdfMake;
// The handles live in pdfmake's virtual file system, so pdfmake reads no font file itself.
pdfmake.virtualfs.writeFileSync('NotoSansSC-Regular.ttf', FONT_SOURCES.regular);
pdfmake.virtualfs.writeFileSync('NotoSansSC-Bold.ttf', FONT_SOURCES.bold);
// Noto Sans SC has no italics: italic styles fall back to the upright faces.
pdfmake.setFonts({ [FONT_FAMILY]: { normal: 'NotoSansSC-Regular.ttf', bold: 'NotoSansSC-Bold.ttf', italics: 'NotoSansSC-Regular.ttf', bolditalics: 'NotoSansSC-Bold.ttf' } });
// Offline by design: no URL is ever fetched and no local file is ever read (the fonts come from
// the handles above).
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy(() => false);

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

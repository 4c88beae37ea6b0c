// The 1C EnterpriseData format package (an XDTO package: 1C's own schema language) read into
// plain maps, and a checker that holds an exchange message against it. 1C refuses a whole
// message over one missing required property or a malformed number, so the export is checked
// here, where the problem still has a row and a path we can name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import { APP_ROOT } from '../host/paths.js';

export const XS_NS = 'http://www.w3.org/2001/XMLSchema';
export const MESSAGE_NS = 'http://www.1c.ru/SSL/Exchange/Message';

export interface XdtoProperty {
  name: string;
  /** Package-local type name, `xs:<builtin>`, or `{namespace}name` for a foreign type (msg:Ref). */
  type: string;
  /** No `lowerBound="0"`. */
  required: boolean;
  /** `upperBound="-1"` or above 1: the element may repeat (table rows). */
  many: boolean;
}

export interface XdtoObjectType {
  name: string;
  properties: XdtoProperty[];
}

export interface XdtoValueType {
  name: string;
  /** The base as a type name (see XdtoProperty.type). */
  base: string;
  maxLength?: number;
  totalDigits?: number;
  fractionDigits?: number;
  enumeration?: string[];
  /** Union: a value is valid when it is valid for any member. */
  memberTypes?: string[];
}

export interface XdtoPackage {
  namespace: string;
  objectTypes: Map<string, XdtoObjectType>;
  valueTypes: Map<string, XdtoValueType>;
}

/** The package shipped with the repository's reference material. */
/** 1C's EnterpriseData 1.21 format package, shipped with the app (resources/ is packaged). */
export const DEFAULT_PACKAGE_FILE = join(APP_ROOT, 'resources', '1c', 'EnterpriseData_1_21_1.xdto.xml');

/** DOM nodes as xmlbuilder2's parser gives them (only what we read). */
interface DomElement {
  nodeType: number;
  localName: string;
  namespaceURI: string | null;
  textContent: string | null;
  childNodes: ArrayLike<DomElement>;
  getAttribute(name: string): string | null;
  lookupNamespaceURI(prefix: string | null): string | null;
}

const ELEMENT = 1;

function elements(node: DomElement, localName?: string): DomElement[] {
  return Array.from(node.childNodes).filter((n) => n.nodeType === ELEMENT && (localName === undefined || n.localName === localName));
}

function parseDom(xml: string): DomElement {
  // A BOM before the declaration is legal in a file but not in a parsed string.
  return create(xml.replace(/^\uFEFF/, '')).root().node as unknown as DomElement;
}

const cache = new Map<string, XdtoPackage>();

/** Reads (once per file per process: the package is 1.4 MB) an XDTO package. */
export function loadPackage(file = DEFAULT_PACKAGE_FILE): XdtoPackage {
  let pkg = cache.get(file);
  if (!pkg) {
    pkg = parsePackage(readFileSync(file, 'utf8'));
    cache.set(file, pkg);
  }
  return pkg;
}

export function parsePackage(xml: string): XdtoPackage {
  const root = parseDom(xml);
  const namespace = root.getAttribute('targetNamespace') ?? '';
  const pkg: XdtoPackage = { namespace, objectTypes: new Map(), valueTypes: new Map() };

  const typeName = (el: DomElement, qname: string): string => {
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? null : qname.slice(0, colon);
    const local = qname.slice(colon + 1);
    const ns = el.lookupNamespaceURI(prefix);
    if (ns === XS_NS) return `xs:${local}`;
    if (ns === namespace || ns === null) return local;
    return `{${ns}}${local}`;
  };

  const numberAttr = (el: DomElement, name: string) => {
    const v = el.getAttribute(name);
    return v === null ? undefined : Number(v);
  };

  const valueType = (el: DomElement, name: string): XdtoValueType => {
    const vt: XdtoValueType = { name, base: typeName(el, el.getAttribute('base') ?? 'xs:string') };
    const maxLength = numberAttr(el, 'maxLength');
    const totalDigits = numberAttr(el, 'totalDigits');
    const fractionDigits = numberAttr(el, 'fractionDigits');
    if (maxLength !== undefined) vt.maxLength = maxLength;
    if (totalDigits !== undefined) vt.totalDigits = totalDigits;
    if (fractionDigits !== undefined) vt.fractionDigits = fractionDigits;
    const enumeration = elements(el, 'enumeration').map((e) => e.textContent ?? '');
    if (enumeration.length) vt.enumeration = enumeration;
    const members = el.getAttribute('memberTypes');
    if (members) vt.memberTypes = members.trim().split(/\s+/).map((m) => typeName(el, m));
    pkg.valueTypes.set(name, vt);
    return vt;
  };

  // Inline type definitions get the owner's name plus the property name, like 1C's own
  // tabular-section types (`Документ.X.Товары.Строка`).
  const objectType = (el: DomElement, name: string): void => {
    const properties = elements(el, 'property').map((p): XdtoProperty => {
      const propName = p.getAttribute('name') ?? '';
      const upper = p.getAttribute('upperBound');
      let type = p.getAttribute('type');
      const typeDef = elements(p, 'typeDef')[0];
      if (type !== null) type = typeName(p, type);
      else if (typeDef) {
        type = `${name}.${propName}`;
        if (typeDef.getAttribute('xsi:type')?.endsWith('ObjectType')) objectType(typeDef, type);
        else valueType(typeDef, type);
      } else type = 'xs:string';
      return {
        name: propName,
        type,
        required: p.getAttribute('lowerBound') !== '0',
        many: upper !== null && (upper === '-1' || Number(upper) > 1),
      };
    });
    pkg.objectTypes.set(name, { name, properties });
  };

  for (const el of elements(root)) {
    const name = el.getAttribute('name');
    if (name === null) continue;
    if (el.localName === 'objectType') objectType(el, name);
    else if (el.localName === 'valueType') valueType(el, name);
  }
  return pkg;
}

export interface Problem {
  /** Element path from the object, e.g. `Документ.ВыпускПродукции/Продукция/Строка[2]/Количество`. */
  path: string;
  message: string;
}

/**
 * Holds every object in the message Body against the package: required properties present,
 * no unknown or repeated properties, properties in the package's order (the types are
 * sequenced), and simple values of the right form. Returns the problems; none means valid.
 */
export function checkAgainstPackage(xml: string, pkg: XdtoPackage = loadPackage()): Problem[] {
  const problems: Problem[] = [];
  let root: DomElement;
  try {
    root = parseDom(xml);
  } catch (error) {
    return [{ path: '', message: `not well-formed XML: ${(error as Error).message}` }];
  }
  const body = elements(root, 'Body')[0];
  if (!body) return [{ path: root.localName, message: 'no Body element' }];
  if (body.namespaceURI !== pkg.namespace) {
    problems.push({ path: 'Body', message: `namespace ${body.namespaceURI ?? '(none)'}, expected ${pkg.namespace}` });
  }
  const counts = new Map<string, number>();
  for (const object of elements(body)) {
    const n = (counts.get(object.localName) ?? 0) + 1;
    counts.set(object.localName, n);
    const path = `${object.localName}[${n}]`;
    if (!pkg.objectTypes.has(object.localName)) problems.push({ path, message: 'unknown object type' });
    else checkObject(object, object.localName, path, pkg, problems);
  }
  return problems;
}

function checkObject(el: DomElement, typeName: string, path: string, pkg: XdtoPackage, problems: Problem[]): void {
  const type = pkg.objectTypes.get(typeName)!;
  const children = elements(el);
  const seen = new Map<string, number>();
  let lastIndex = -1;
  for (const child of children) {
    const index = type.properties.findIndex((p) => p.name === child.localName);
    const count = (seen.get(child.localName) ?? 0) + 1;
    seen.set(child.localName, count);
    const childPath = `${path}/${child.localName}${count > 1 ? `[${count}]` : ''}`;
    if (index < 0) {
      problems.push({ path: childPath, message: `not a property of ${typeName}` });
      continue;
    }
    const property = type.properties[index]!;
    if (index < lastIndex) problems.push({ path: childPath, message: `out of order in ${typeName}` });
    lastIndex = index;
    if (count === 2 && !property.many) problems.push({ path: childPath, message: 'repeated, but the property holds one value' });
    if (pkg.objectTypes.has(property.type)) checkObject(child, property.type, childPath, pkg, problems);
    else {
      const error = valueError(child.textContent ?? '', property.type, pkg);
      if (error) problems.push({ path: childPath, message: error });
    }
  }
  for (const property of type.properties) {
    if (property.required && !seen.has(property.name)) {
      problems.push({ path: `${path}/${property.name}`, message: `required property of ${typeName} missing` });
    }
  }
}

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a text is not a valid value of the type, or null when it is. */
export function valueError(text: string, type: string, pkg: XdtoPackage): string | null {
  const vt = pkg.valueTypes.get(type);
  if (vt) {
    if (vt.memberTypes) {
      return vt.memberTypes.some((m) => valueError(text, m, pkg) === null) ? null : `"${text}" fits none of ${vt.memberTypes.join(', ')}`;
    }
    if (vt.enumeration && !vt.enumeration.includes(text)) return `"${text}" is not one of the values of ${type}`;
    if (vt.maxLength !== undefined && [...text].length > vt.maxLength) return `longer than ${vt.maxLength} characters (${type})`;
    if (vt.totalDigits !== undefined || vt.fractionDigits !== undefined) {
      const digits = decimalDigits(text);
      if (!digits) return `"${text}" is not a number (${type})`;
      if (vt.fractionDigits !== undefined && digits.fraction > vt.fractionDigits) {
        return `"${text}" has more than ${vt.fractionDigits} fraction digits (${type})`;
      }
      if (vt.totalDigits !== undefined && digits.total > vt.totalDigits) return `"${text}" has more than ${vt.totalDigits} digits (${type})`;
    }
    return valueError(text, vt.base, pkg);
  }
  switch (type) {
    case `{${MESSAGE_NS}}Ref`:
      return GUID_RE.test(text) ? null : `"${text}" is not a GUID`;
    case 'xs:string':
      return null;
    case 'xs:boolean':
      return /^(true|false)$/.test(text) ? null : `"${text}" is not true or false`;
    case 'xs:decimal':
      return decimalDigits(text) ? null : `"${text}" is not a decimal`;
    case 'xs:int':
    case 'xs:integer':
    case 'xs:long':
      return /^-?\d+$/.test(text) ? null : `"${text}" is not an integer`;
    case 'xs:dateTime':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}Z`))
        ? null
        : `"${text}" is not a dateTime YYYY-MM-DDThh:mm:ss`;
    case 'xs:date':
      return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)) ? null : `"${text}" is not a date YYYY-MM-DD`;
    default:
      // Types the export never emits as values: say so rather than pass them silently.
      return `no check for values of type ${type}`;
  }
}

function decimalDigits(text: string): { total: number; fraction: number } | null {
  const m = /^-?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  return { total: (whole === '0' ? 0 : whole.length) + fraction.length, fraction: fraction.length };
}

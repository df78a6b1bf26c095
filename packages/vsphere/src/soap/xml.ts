import { XMLParser } from 'fast-xml-parser';

/** A managed object reference: opaque type and value (values may hold `/ @ : [ ]`). */
export interface MoRef {
  type: string;
  value: string;
}

/** A parsed XML element: text, or an object of attributes (`@_name`), `#text` and children. */
export type XmlNode = string | { [key: string]: XmlValue };
export type XmlValue = XmlNode | XmlNode[] | undefined;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name>text</name>`, escaped; nothing for undefined (optional arguments are omitted). */
export function textEl(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function morefEl(name: string, ref: MoRef | undefined): string {
  return ref === undefined ? '' : `<${name} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${name}>`;
}

/** An element holding already-built XML, with an optional xsi:type. */
export function el(name: string, inner: string, xsiType?: string): string {
  return xsiType ? `<${name} xsi:type="${escapeXml(xsiType)}">${inner}</${name}>` : `<${name}>${inner}</${name}>`;
}

export function envelope(body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

// Namespace prefixes stay as written: removing them would merge `xsi:type` with a MoRef's `type`.
// Numeric character references (`&#39;` from Go) need htmlEntities. Values stay strings.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  trimValues: false,
});

export function parseXml(text: string): XmlNode {
  return parser.parse(text) as XmlNode;
}

/** Repeated elements parse as arrays, single ones as objects: always get an array. */
export function asArray(value: XmlValue): XmlNode[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function child(node: XmlValue, name: string): XmlValue {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined;
  return node[name];
}

/** The element's text (`#text` when it has attributes), '' when empty or absent. */
export function text(node: XmlValue): string {
  if (node === undefined) return '';
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'string') return node;
  const inner = node['#text'];
  return typeof inner === 'string' ? inner : '';
}

export function attr(node: XmlValue, name: string): string | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The element's schema type: any `*:type` attribute. vcsim writes
 * `XMLSchema-instance:type` with its own namespace declaration inside property values.
 */
export function xsiType(node: XmlValue): string | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_') && key.endsWith(':type') && typeof value === 'string') {
      return value.includes(':') ? value.slice(value.indexOf(':') + 1) : value;
    }
  }
  return undefined;
}

export function moref(node: XmlValue): MoRef | undefined {
  const type = attr(node, 'type');
  const value = text(node);
  return type && value ? { type, value } : undefined;
}

export function morefs(value: XmlValue): MoRef[] {
  return asArray(value).flatMap((n) => moref(n) ?? []);
}

/** The SOAP body's first element (the response or the fault). */
export function soapBody(doc: XmlNode): XmlNode | undefined {
  const envelopeNode = child(doc, 'soapenv:Envelope') ?? child(doc, 'soap:Envelope') ?? child(doc, 'Envelope');
  const body = child(envelopeNode, 'soapenv:Body') ?? child(envelopeNode, 'soap:Body') ?? child(envelopeNode, 'Body');
  return Array.isArray(body) ? body[0] : body;
}

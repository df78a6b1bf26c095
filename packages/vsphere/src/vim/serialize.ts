import { escapeXml, type XmlNode, type XmlValue } from '../soap/xml.js';

/**
 * Writes a parsed element back as XML, as vCenter sent it: used to send a device back whole
 * (vcsim drops the connection on an edit without `deviceInfo`). Schema types become `xsi:type`
 * whatever prefix the server used; namespace declarations are dropped (the envelope has xsi).
 */
export function toXml(name: string, node: XmlValue): string {
  if (node === undefined) return '';
  if (Array.isArray(node)) return node.map((n) => toXml(name, n)).join('');
  if (typeof node === 'string') return `<${name}>${escapeXml(node)}</${name}>`;
  let attrs = '';
  let inner = '';
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_')) {
      const attr = key.slice(2);
      if (attr.startsWith('xmlns')) continue;
      if (attr.endsWith(':type')) attrs += ` xsi:type="${escapeXml(String(value))}"`;
      else attrs += ` ${attr}="${escapeXml(String(value))}"`;
    } else if (key === '#text') {
      inner += escapeXml(String(value));
    } else {
      inner += toXml(key, value);
    }
  }
  return `<${name}${attrs}>${inner}</${name}>`;
}

/** A copy of an element with one child replaced. */
export function withChild(node: XmlNode, name: string, value: XmlNode): XmlNode {
  if (typeof node === 'string') return node;
  return { ...node, [name]: value };
}

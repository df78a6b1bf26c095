import type { VimClient } from '../soap/client.js';
import { asArray, child, el, moref, morefEl, text, textEl, type MoRef, type XmlNode } from '../soap/xml.js';

/** One object's properties as read: path → value element. */
export interface ObjectProps {
  ref: MoRef;
  props: Map<string, XmlNode>;
}

const key = (ref: MoRef) => `${ref.type}:${ref.value}`;
export { key as refKey };

function propSet(type: string, paths: readonly string[]): string {
  return el('propSet', textEl('type', type) + textEl('all', false) + paths.map((p) => textEl('pathSet', p)).join(''));
}

function parseObjects(returnval: XmlNode | undefined, out: ObjectProps[]): string | undefined {
  for (const object of asArray(child(returnval, 'objects'))) {
    const ref = moref(child(object, 'obj'));
    if (!ref) continue;
    const props = new Map<string, XmlNode>();
    for (const prop of asArray(child(object, 'propSet'))) {
      const value = child(prop, 'val');
      if (value !== undefined && !Array.isArray(value)) props.set(text(child(prop, 'name')), value);
    }
    out.push({ ref, props });
  }
  const token = text(child(returnval, 'token'));
  return token === '' ? undefined : token;
}

/** RetrievePropertiesEx, following the token with ContinueRetrievePropertiesEx (real vCenter pages). */
async function retrieve(client: VimClient, specSet: string, signal: AbortSignal): Promise<ObjectProps[]> {
  const { propertyCollector } = await client.content(signal);
  const out: ObjectProps[] = [];
  const res = await client.call('RetrievePropertiesEx', propertyCollector, `${el('specSet', specSet)}<options/>`, {
    signal,
    read: true,
  });
  let token = parseObjects(child(res, 'returnval') as XmlNode | undefined, out);
  while (token !== undefined) {
    const next = await client.call('ContinueRetrievePropertiesEx', propertyCollector, textEl('token', token), {
      signal,
      read: true,
    });
    token = parseObjects(child(next, 'returnval') as XmlNode | undefined, out);
  }
  return out;
}

/** Properties of the given objects, grouped by type into one call. */
export function readObjects(
  client: VimClient,
  objects: readonly MoRef[],
  pathsByType: Record<string, readonly string[]>,
  signal: AbortSignal,
): Promise<ObjectProps[]> {
  const types = [...new Set(objects.map((o) => o.type))];
  const specSet =
    types.map((t) => propSet(t, pathsByType[t] ?? [])).join('') +
    objects.map((o) => el('objectSet', morefEl('obj', o) + textEl('skip', false))).join('');
  return retrieve(client, specSet, signal);
}

/** Every object of a type under the root folder, through a ContainerView made for the read. */
export async function readAll(
  client: VimClient,
  type: string,
  paths: readonly string[],
  signal: AbortSignal,
): Promise<ObjectProps[]> {
  const content = await client.content(signal);
  const view = moref(
    child(
      await client.call(
        'CreateContainerView',
        content.viewManager,
        morefEl('container', content.rootFolder) + textEl('type', type) + textEl('recursive', true),
        { signal, read: true },
      ),
      'returnval',
    ),
  );
  if (!view) throw new Error('CreateContainerView returned no view');
  try {
    const traversal = el(
      'selectSet',
      textEl('name', 'view') + textEl('type', 'ContainerView') + textEl('path', 'view') + textEl('skip', false),
      'TraversalSpec',
    );
    const specSet = propSet(type, paths) + el('objectSet', morefEl('obj', view) + textEl('skip', true) + traversal);
    return await retrieve(client, specSet, signal);
  } finally {
    await client
      .call('DestroyView', view, '', { signal: AbortSignal.timeout(10_000), read: false })
      .catch(() => undefined);
  }
}

import { badRequest, ok, type Outcome } from '../protocol/outcome.js';
import type { VolumeFolderRecord } from './records.js';
import type { DsmState } from './state.js';

type FolderKind = VolumeFolderRecord['kind'];

function foldersOf(state: DsmState, kind: FolderKind): Map<string, VolumeFolderRecord> {
  return kind === 'volume' ? state.volumeFolders : state.serverFolders;
}

/** The root folders every SC has: `"<ssn>.0"`, named Volumes and Servers (cookbook; API 4.2 fixture). */
export function ensureRootFolders(state: DsmState, ssn: number): void {
  for (const kind of ['volume', 'server'] as const) {
    const folders = foldersOf(state, kind);
    const id = `${ssn}.0`;
    if (!folders.has(id))
      folders.set(id, { id, ssn, kind, name: kind === 'volume' ? 'Volumes' : 'Servers', notes: '', root: true });
  }
}

export interface CreateFolderInput {
  kind: FolderKind;
  ssn: number;
  name: string;
  parentId?: string;
  notes?: string;
}

export function createFolder(state: DsmState, input: CreateFolderInput): Outcome<VolumeFolderRecord> {
  const refused = state.requireConnected(input.ssn);
  if (refused) return refused;
  if (!input.name.trim()) return badRequest('Invalid attribute value format: Name is required.');
  if (input.name.includes('/')) return badRequest('Invalid attribute value format: a folder Name cannot contain "/".');
  const folders = foldersOf(state, input.kind);
  const parentId = input.parentId ?? `${input.ssn}.0`;
  const parent = folders.get(parentId);
  if (!parent || parent.ssn !== input.ssn)
    return badRequest(`Parent folder ${parentId} was not found on Storage Center ${input.ssn}.`);
  const duplicate = [...folders.values()].find(
    (f) => f.ssn === input.ssn && f.parentId === parentId && f.name.toLowerCase() === input.name.toLowerCase(),
  );
  if (duplicate) return badRequest(`A folder named ${input.name} already exists in ${parent.name}.`);
  const index = state.nextIndex(input.ssn, `${input.kind}Folder`, 2);
  const folder: VolumeFolderRecord = {
    id: `${input.ssn}.${index}`,
    ssn: input.ssn,
    kind: input.kind,
    name: input.name,
    parentId,
    notes: input.notes ?? '',
    root: false,
  };
  folders.set(folder.id, folder);
  return ok(folder);
}

/** Finds or creates each level of `a/b/c` under the root; used to seed and to mirror a source folder path. */
export function ensureFolderPath(
  state: DsmState,
  kind: FolderKind,
  ssn: number,
  path: string,
): Outcome<VolumeFolderRecord> {
  ensureRootFolders(state, ssn);
  const folders = foldersOf(state, kind);
  let current = folders.get(`${ssn}.0`)!;
  for (const name of path.split('/').filter(Boolean)) {
    const existing = [...folders.values()].find((f) => f.ssn === ssn && f.parentId === current.id && f.name === name);
    if (existing) {
      current = existing;
      continue;
    }
    const created = createFolder(state, { kind, ssn, name, parentId: current.id });
    if (!created.ok) return created;
    current = created.value;
  }
  return ok(current);
}

/** Folder names from the root down (`["a", "b"]` for a/b), root excluded. */
export function folderNames(state: DsmState, kind: FolderKind, folderId: string): string[] {
  const folders = foldersOf(state, kind);
  const names: string[] = [];
  let current = folders.get(folderId);
  while (current && !current.root) {
    names.unshift(current.name);
    current = current.parentId ? folders.get(current.parentId) : undefined;
  }
  return names;
}

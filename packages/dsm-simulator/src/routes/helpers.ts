import type { JsonObject } from '../protocol/body.js';
import { field, referenceField, stringField } from '../protocol/body.js';
import { applyListFilter, parseListFilter } from '../protocol/filters.js';
import { badRequest, ok, type Outcome } from '../protocol/outcome.js';
import type { DsmState } from '../model/state.js';
import { errorReply, fromRefusal, json, type Reply } from './reply.js';
import type { RouteContext } from './route.js';

/** A GetList answer: the objects the filter body selects, as a JSON array. */
export function listReply(context: RouteContext, items: JsonObject[]): Reply {
  const style = context.model.wire.style;
  const filter = parseListFilter(context.body, style.filterShape, false);
  if (!filter.ok) return fromRefusal(filter);
  return json(200, applyListFilter(items, filter.value));
}

/** A single object, or 404 in DSM's error shape. */
export function objectReply(found: JsonObject | undefined, what: string, id: string): Reply {
  return found ? json(200, found) : errorReply(404, `${what} ${id} was not found.`);
}

/** DELETE answers `true` (EM 15.1/15.2) or `{"result": true}` (15.3 and later). */
export function deleteResult(context: RouteContext, value = true): Reply {
  return json(200, context.model.wire.style.wrappedDeleteResult ? { result: value } : value);
}

/** `StorageCenter` in a body: a serial number sent as a number or a string (Cinder sends both). */
export function storageCenterField(state: DsmState, body: unknown, name = 'StorageCenter'): Outcome<number> {
  const value = referenceField(body, name);
  if (value === undefined) return badRequest(`Invalid body format: ${name} is required.`);
  const sc = state.storageCenter(value);
  if (!sc) return badRequest(`Storage Center ${value} is not managed by this Data Collector.`);
  return ok(sc.serial);
}

export function requiredReference(body: unknown, name: string): Outcome<string> {
  const value = referenceField(body, name);
  return value === undefined ? badRequest(`Invalid body format: ${name} is required.`) : ok(value);
}

export function requiredString(body: unknown, name: string): Outcome<string> {
  const value = stringField(body, name);
  return value === undefined || value.trim() === ''
    ? badRequest(`Invalid body format: ${name} is required.`)
    : ok(value);
}

/** `expireTime` in minutes (0 = never), as Cinder and jwegner89 send it. */
export function expireMinutesField(body: unknown): Outcome<number | undefined> {
  const value = field(body, 'expireTime');
  if (value === undefined || value === null) return ok(undefined);
  const minutes = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(minutes) || minutes < 0)
    return badRequest('Invalid attribute value format: expireTime must be minutes (0 = never).');
  return ok(minutes);
}

/** Counter key text for a body field, e.g. the Name of what a POST creates. */
export function keyPart(context: RouteContext, name: string): string {
  return referenceField(context.body, name) ?? '';
}

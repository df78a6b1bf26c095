import { DrError } from '@drctl/domain';
import { child, text, xsiType, type MoRef, type XmlNode } from './xml.js';

/** A vim25 fault: the SOAP fault of a call, or the `info.error` of a failed task. */
export class VimFault extends Error {
  constructor(
    /** The fault's type from `detail/*[@xsi:type]` (e.g. `InvalidState`, `NotAuthenticated`). */
    readonly faultType: string,
    readonly faultMessage: string,
    readonly method: string,
    readonly object: MoRef | undefined,
  ) {
    super(
      `${method}${object ? ` on ${object.type} ${object.value}` : ''} failed: ${faultType}${faultMessage ? ` (${faultMessage})` : ''}`,
    );
    this.name = 'VimFault';
  }
}

/** The connection failed or dropped before a complete answer: the call may or may not have run. */
export class VimTransportError extends Error {
  constructor(
    readonly method: string,
    readonly endpoint: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`vCenter ${endpoint} did not answer ${method} (${code})`, options);
    this.name = 'VimTransportError';
  }
}

/** Reads the fault of a SOAP fault body (`soapenv:Fault`). */
export function faultFromBody(fault: XmlNode, method: string, object: MoRef | undefined): VimFault {
  const detail = child(fault, 'detail');
  let faultType = 'SystemError';
  if (detail && typeof detail === 'object' && !Array.isArray(detail)) {
    for (const [key, value] of Object.entries(detail)) {
      if (key.startsWith('@_') || key === '#text') continue;
      const node = Array.isArray(value) ? value[0] : value;
      faultType = xsiType(node) ?? key.replace(/Fault$/, '');
      break;
    }
  }
  return new VimFault(faultType, text(child(fault, 'faultstring')).trim(), method, object);
}

/** Reads a task's `info.error` (LocalizedMethodFault). */
export function faultFromTaskError(error: XmlNode, method: string, object: MoRef | undefined): VimFault {
  const fault = child(error, 'fault');
  const node = Array.isArray(fault) ? fault[0] : fault;
  const message = text(child(error, 'localizedMessage')).trim();
  // vcsim's localizedMessage is a Go type name ("*types.InvalidPowerState"): no news for a person.
  return new VimFault(xsiType(node) ?? 'SystemError', message.startsWith('*types.') ? '' : message, method, object);
}

/** A fault as the drctl error a user reads: what failed, on which object, and why. */
export function toDrError(error: unknown, site: string, what: string): DrError {
  if (error instanceof DrError) return error;
  if (error instanceof VimTransportError) {
    return new DrError('DR_SITE_UNREACHABLE', `${what} at ${site}: ${error.message}.`, {
      cause: error,
      details: { site, method: error.method, code: error.code },
    });
  }
  if (error instanceof VimFault) {
    return new DrError(
      'DR_COMPUTE_ERROR',
      `${what} at ${site} failed: vCenter answered ${error.faultType} to ${error.method}${error.faultMessage ? ` (${error.faultMessage})` : ''}.`,
      {
        cause: error,
        details: {
          site,
          method: error.method,
          fault: error.faultType,
          ...(error.object ? { object: error.object.value } : {}),
        },
      },
    );
  }
  return new DrError(
    'DR_COMPUTE_ERROR',
    `${what} at ${site} failed: ${error instanceof Error ? error.message : String(error)}.`,
    {
      cause: error,
      details: { site },
    },
  );
}

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { asArray, child, moref, morefEl, parseXml, text, textEl, xsiType } from '@drctl/vsphere';
import { VimFault, toDrError } from '@drctl/vsphere';

// Unit tests for what the vim25 wire does to a parser (the gotchas met against vcsim).

describe('vim25 XML', () => {
  it('reads a schema type whatever prefix the server gave it, and keeps a MoRef`s own type apart', () => {
    const doc = parseXml(
      '<val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="TaskInfo">' +
        '<task type="Task">task-7</task><state>success</state></val>',
    );
    const val = child(doc, 'val');
    expect(xsiType(val)).toBe('TaskInfo');
    expect(moref(child(val, 'task'))).toEqual({ type: 'Task', value: 'task-7' });
    expect(text(child(val, 'state'))).toBe('success');
    expect(xsiType(child(parseXml('<d xsi:type="xsd:string">x</d>'), 'd'))).toBe('string');
  });

  it('decodes the numeric character references Go writes', () => {
    expect(text(child(parseXml('<name>web&#39;s &amp; db</name>'), 'name'))).toBe("web's & db");
  });

  it('gives arrays for single and repeated elements, and keeps values as strings', () => {
    const one = parseXml('<r><objects><obj type="VirtualMachine">vm-1</obj></objects><n>007</n></r>');
    const two = parseXml(
      '<r><objects><obj type="VirtualMachine">vm-1</obj></objects><objects><obj type="VirtualMachine">vm-2</obj></objects></r>',
    );
    expect(asArray(child(child(one, 'r'), 'objects'))).toHaveLength(1);
    expect(asArray(child(child(two, 'r'), 'objects'))).toHaveLength(2);
    expect(text(child(child(one, 'r'), 'n'))).toBe('007');
  });

  it('escapes any MoRef value and text so it reads back unchanged', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1 })
          // XML 1.0 cannot carry control characters; surrounding spaces are not part of a value.
          .filter((s) => s.trim() === s && [...s].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0xd800)),
        (value) => {
          const ref = { type: 'Datastore', value };
          expect(moref(child(parseXml(morefEl('obj', ref)), 'obj'))).toEqual(ref);
          expect(text(child(parseXml(textEl('t', value)), 't'))).toBe(value);
        },
      ),
    );
    const path = { type: 'Datastore', value: '/tmp/govcsim-DC0-LocalDS_0-268@folder-5' };
    expect(moref(child(parseXml(morefEl('obj', path)), 'obj'))).toEqual(path);
  });

  it('turns a fault into a DrError that names the step, the site, the method and the fault', () => {
    const fault = new VimFault('InvalidPowerState', '', 'PowerOnVM_Task', { type: 'VirtualMachine', value: 'vm-9' });
    const error = toDrError(fault, 'vcsite2', 'Powering on VM web01');
    expect(error.code).toBe('DR_COMPUTE_ERROR');
    expect(error.message).toBe(
      'Powering on VM web01 at vcsite2 failed: vCenter answered InvalidPowerState to PowerOnVM_Task.',
    );
    expect(error.details).toEqual({
      site: 'vcsite2',
      method: 'PowerOnVM_Task',
      fault: 'InvalidPowerState',
      object: 'vm-9',
    });
  });
});

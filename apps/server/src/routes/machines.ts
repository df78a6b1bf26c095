import { exportMachine, exportMachineGraph, MACHINE_NAMES, mermaidDiagram } from '@drctl/inspect';
import { route, type AnyRoute } from '../http/route.js';
import {
  errorResponse,
  exportQuery,
  machineDiagram,
  machineGraphSchema,
  machineList,
  machineParams,
} from '../http/schemas.js';

export function machineRoutes(): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/machines',
      operationId: 'listMachines',
      summary: 'Names of the statecharts: the six workflows, plan-lifecycle and vm-recovery.',
      tag: 'machines',
      responses: { 200: { description: 'Machine names.', schema: machineList } },
      handler: () => ({ machines: [...MACHINE_NAMES] }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/machines/:name',
      operationId: 'getMachine',
      summary:
        'A statechart as a graph and as Mermaid (transitions between the same two states merged into one arrow), with the Mermaid id of each state: what the viewer draws.',
      tag: 'machines',
      params: machineParams,
      responses: {
        200: { description: 'The machine.', schema: machineDiagram },
        400: { description: 'Unknown machine.', schema: errorResponse },
      },
      handler: ({ params }) => {
        const graph = exportMachineGraph(params.name);
        return { name: params.name, graph, mermaid: mermaidDiagram(graph, { merge: true }) };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/machines/:name/export',
      operationId: 'exportMachine',
      summary: 'A statechart exported as `drctl export` prints it: JSON (nodes, edges, guards, actions) or Mermaid.',
      tag: 'machines',
      params: machineParams,
      query: exportQuery,
      responses: {
        200: {
          description: 'application/json (format=json): the graph; text/plain (format=mermaid): a stateDiagram-v2.',
          schema: machineGraphSchema,
        },
      },
      handler: ({ params, query, reply }) => {
        const text = exportMachine(params.name, query.format);
        reply.type(query.format === 'json' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
        return text;
      },
    }),
  ];
}

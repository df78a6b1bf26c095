/** A CA and a loopback server certificate it signed, all PEM. */
export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/**
 * Generates a throwaway CA and a server certificate for localhost, 127.0.0.1 and ::1. EC P-256
 * keeps generation in the tens of milliseconds. Clients verify against `caPem`, so TLS stays
 * verified in tests, as the adapter does by default.
 */
export async function generateTlsMaterial(): Promise<TlsMaterial> {
  // Loaded when a simulator first starts: node-forge under it is megabytes of heap an engine that
  // never starts one should not carry.
  const { generate } = await import('selfsigned');
  const ca = await generate([{ name: 'commonName', value: 'drctl DSM simulator CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}

let shared: Promise<TlsMaterial> | undefined;

/** One certificate per process unless asked otherwise: tests start many simulators. */
export function sharedTlsMaterial(): Promise<TlsMaterial> {
  shared ??= generateTlsMaterial().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

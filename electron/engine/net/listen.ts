// Listening and closing the same way for every server we run on loopback
// (the bridge, the sandbox's Okta and Graph servers): wait for the bind or its
// error, and on close drop kept-alive connections so close() really returns.
import type { AddressInfo, Server } from 'node:net';

export type Listening = { port: number; close: () => Promise<void> };

export async function listen(server: Server & { closeAllConnections?: () => void }, port: number, host: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections?.();
      }),
  };
}

/** `http://host:port` with IPv6 hosts bracketed. */
export function originOf(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

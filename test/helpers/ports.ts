// A TCP port on 127.0.0.1 that nothing listens on at the moment of asking, for servers that a
// test starts itself (a private PostgreSQL cluster, an embedded database, a child process).
import net from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

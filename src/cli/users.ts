// npm run user:create -- --handle <handle> [--name "Display Name"] [--role reader|curator|admin] [--token-name NAME]
// Creates a user (or reuses an existing handle) and prints a new API token for them, once.
// This is how the first admin comes to exist; everyone else gets tokens through mutations.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { generateToken } from '../catalog/users/tokens.ts';

const ROLES = { reader: 'READER', curator: 'CURATOR', admin: 'ADMIN' } as const;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        handle: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string', default: 'reader' },
        'token-name': { type: 'string', default: 'cli' },
      },
    }));
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const handle = values.handle?.trim().toLowerCase() ?? '';
  if (!/^[a-z0-9][a-z0-9_-]{1,38}$/.test(handle)) {
    console.error(`usage: npm run user:create -- --handle <2-39 of a-z 0-9 _ -> [--name "Display Name"] [--role reader|curator|admin]; got handle "${values.handle ?? ''}"`);
    return 2;
  }
  const role = ROLES[values.role as keyof typeof ROLES];
  if (!role) {
    console.error(`--role must be reader, curator or admin; got "${values.role}"`);
    return 2;
  }
  const database = await openDatabase(loadConfig());
  try {
    const user = await database.db.user.upsert({
      where: { handle },
      create: { handle, displayName: values.name ?? handle, role },
      update: { role, ...(values.name ? { displayName: values.name } : {}) },
    });
    const { token, tokenHash, prefix } = generateToken();
    await database.db.apiToken.create({ data: { userId: user.id, name: values['token-name']!, tokenHash, prefix } });
    console.error(`User "${user.handle}" (${user.role.toLowerCase()}). Their API token, shown this once:`);
    console.log(token);
    return 0;
  } finally {
    await database.close();
  }
}

process.exitCode = await main();

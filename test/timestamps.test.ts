// The read path's timestamptz parser (src/platform/db/timestamps.ts) against Postgres itself: every
// value, in zones of whole hours, of half hours and across years, must give the instant
// Postgres means (its epoch), as pg's general parser does.
import pg from 'pg';
import { parseTimestamptz, TIMESTAMPTZ_OID } from '../src/platform/db/timestamps.ts';
import { setupTestRunner } from './helpers/runner.ts';

let client: pg.Client | undefined;
// Jest runs hooks in the order they are declared: this afterAll before the runner's (which drops
// the database), the beforeAll below after the runner's (which creates it).
afterAll(async () => {
  await client?.end();
});
const run = setupTestRunner({ server: false, reset: 'once' });
beforeAll(async () => {
  client = new pg.Client({ connectionString: run.t.url });
  await client.connect();
});

const VALUES = `VALUES
  ('2026-11-30 05:55:00.123+00'::timestamptz(3)), ('2026-11-30 05:55:00+00'), ('2026-01-02 23:59:59.9+00'),
  ('2024-02-29 12:00:00.05+00'), ('1999-12-31 23:30:00.001+00'), ('1970-01-01 00:00:00+00'), ('0900-06-15 08:00:00+00'),
  ('2026-03-29 01:30:00+00'), ('2026-10-25 00:59:59.999+00'), ('12345-01-01 00:00:00+00'), ('0044-03-15 12:00:00+00 BC'),
  ('infinity'), ('-infinity')`;

test.each(['UTC', 'America/Sao_Paulo', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'])(
  'gives the instant Postgres means, with the session in %s',
  async (zone) => {
    await client!.query(`SET TimeZone = '${zone}'`);
    const { rows } = await client!.query<{ text: string; epoch: string }>({
      text: `SELECT v::text AS text, (extract(epoch FROM v) * 1000)::text AS epoch FROM (${VALUES}) AS t(v)`,
    });
    const general = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date;
    for (const { text, epoch } of rows) {
      const parsed = parseTimestamptz(text);
      if (epoch === 'Infinity' || epoch === '-Infinity') expect(parsed).toEqual(general(text)); // pg's own answer: ±Infinity
      else expect([text, parsed.getTime()]).toEqual([text, Math.round(Number(epoch))]);
    }
  },
);

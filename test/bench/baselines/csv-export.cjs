/**
 * P3's baseline: the bare way to stream one event's registrations to a CSV file with the stack's
 * ordinary tools, pg-query-stream into csv-stringify, over the same rows the export reads.
 * `node test/bench/baselines/csv-export.cjs EVENT_ID FILE` with DATABASE_URL set.
 */
const fs = require('node:fs');
const { pipeline } = require('node:stream/promises');
const pg = require('pg');
const QueryStream = require('pg-query-stream');
const { stringify } = require('csv-stringify');

async function main() {
  const [eventId, file] = process.argv.slice(2);
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const query = new QueryStream(
    `SELECT id, status, email, family_name, given_name, family_name_kana, given_name_kana, organisation,
            affiliation, country, locale, interpretation, answers, created_at, first_joined_at, join_clicks
       FROM registrations WHERE event_id = $1 ORDER BY created_at, id`,
    [eventId],
    { batchSize: 500 },
  );
  await pipeline(client.query(query), stringify({ header: true }), fs.createWriteStream(file));
  await client.end();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

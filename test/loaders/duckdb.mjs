// test/loaders.bats' DuckDB runner: each line of the file given is
// "TABLE<TAB>QUERY"; prints one JSON object, per table its column names,
// DuckDB's types and rows (getRowsJson: 64-bit integers as strings,
// doubles as numbers, NULL as null).
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const res = {};
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
	if (!line)
		continue;
	const tab = line.indexOf('\t');
	const table = line.slice(0, tab);
	const r = await con.runAndReadAll(line.slice(tab + 1));
	res[table] = {
		names: r.columnNames(),
		types: r.columnTypes().map((t) => t.toString()),
		rows: r.getRowsJson(),
	};
}
process.stdout.write(JSON.stringify(res));

#!/usr/bin/python3
"""The reference for test/loaders.bats: the tables of an analysis tree
read as text, field by field (no loader, no guessing), and what each
loader returned compared with it, value by value.

usage: check.py schema OUT
       check.py pandas OUT RECIPE.py
       check.py duckdb OUT GUESSED.json TYPED.json
       check.py sqlite OUT DB
       check.py miller OUT TABLE TSV JSON
       check.py awk OUT SUMS.tsv
Each exits 1 with a message on the first difference, and prints what it
compared (tables, values) on success.
"""
import glob
import json
import math
import os
import sqlite3
import sys
from decimal import Decimal

INT_TYPES = {"count", "int", "bool", "port", "id"}
REAL_TYPES = {"ts", "duration_s", "ms", "frac", "real"}
TEXT_TYPES = {"text", "addr", "hex"}
TYPES = INT_TYPES | REAL_TYPES | TEXT_TYPES
TABLES = ["tcp_conns", "tcp_rtt", "tcp_rexmit", "tcp_ack", "mptcp_conns",
          "mptcp_subflows", "mptcp_failed", "mptcp_rtt", "mptcp_dack",
          "mptcp_bursts", "mptcp_reinject", "mptcp_addr", "mptcp_stall",
          "manifest"]


def fail(msg):
    print("check.py: " + msg, file=sys.stderr)
    sys.exit(1)


def folders(out):
    return sorted(os.path.dirname(m) for m in
                  glob.glob(glob.escape(out) + "/**/manifest.tsv", recursive=True))


def lines(path):
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        text = f.read()
    if not text.endswith("\n"):
        fail(f"{path}: does not end with a newline")
    return [l.split("\t") for l in text[:-1].split("\n")]


def schema_of(folder):
    rows = lines(folder + "/schema.tsv")
    if rows[0] != ["table", "column", "type", "unit", "meaning"]:
        fail(f"{folder}/schema.tsv: header {rows[0]}")
    s = {}
    for r in rows[1:]:
        if len(r) != 5 or r[2] not in TYPES or not r[4]:
            fail(f"{folder}/schema.tsv: bad line {r}")
        s.setdefault(r[0][:-4], []).append((r[1], r[2]))
    return s


class Table:
    """One table of every folder: header, types, rows (text)."""

    def __init__(self, out, name):
        self.name = name
        self.cols = None
        self.rows = []
        self.files = 0
        for d in folders(out):
            p = f"{d}/{name}.tsv"
            if not os.path.exists(p):
                continue
            t = lines(p)
            types = dict(schema_of(d)[name])
            if self.cols is None:
                self.cols = t[0]
                self.types = [types[c] for c in self.cols]
            elif t[0] != self.cols:
                fail(f"{p}: header differs from the other captures'")
            for r in t[1:]:
                if len(r) != len(self.cols):
                    fail(f"{p}: {len(r)} fields under a header of {len(self.cols)}")
            self.rows += t[1:]
            self.files += 1
        if self.cols is None:
            fail(f"no {name}.tsv under {out}")

    def value(self, i, k):
        """The exact value of row i, column k: int, Decimal, str or None."""
        v = self.rows[i][k]
        if v == "-":
            return None
        t = self.types[k]
        if t in INT_TYPES:
            return int(v)
        if t in REAL_TYPES:
            return Decimal(v)
        return v


def same(exact, got, col, where, real_exact=True):
    """got (a loader's value) is exact (the text's)."""
    if exact is None:
        ok = got is None or (isinstance(got, float) and math.isnan(got))
    elif isinstance(exact, int):
        ok = not isinstance(got, bool) and isinstance(got, (int, str)) and str(got) == str(exact)
        if isinstance(got, float):
            ok = False  # an integer read as a double is the bug itself
    elif isinstance(exact, Decimal):
        g = float(got) if isinstance(got, (int, float, str)) else None
        ok = g is not None and (g == float(exact) if real_exact else
                                math.isclose(g, float(exact), rel_tol=1e-15, abs_tol=1e-300))
    else:
        ok = got == exact
    if not ok:
        fail(f"{where}: column {col}: text {exact!r}, loader {got!r}")


def cmd_schema(out):
    n = 0
    for d in folders(out):
        s = schema_of(d)
        present = sorted(os.path.basename(p)[:-4] for p in glob.glob(glob.escape(d) + "/*.tsv")
                         if not p.endswith("/schema.tsv"))
        if sorted(s) != present:
            fail(f"{d}: schema.tsv has tables {sorted(s)}, the folder {present}")
        for t in present:
            head = lines(f"{d}/{t}.tsv")[0]
            if [c for c, _ in s[t]] != head:
                fail(f"{d}/{t}.tsv: header {head}, schema {[c for c, _ in s[t]]}")
            if head[0] != "capture":
                fail(f"{d}/{t}.tsv: first column {head[0]}")
            n += len(head)
    print(f"schema: {len(folders(out))} folders, {n} columns, each as its header")


def check_ints_fit(t):
    """Every integer of the tables is exact as a double (below 2^53)."""
    for k, ty in enumerate(t.types):
        if ty in INT_TYPES:
            for i in range(len(t.rows)):
                v = t.value(i, k)
                if v is not None and abs(v) >= 2 ** 53:
                    fail(f"{t.name}: column {t.cols[k]}: {v} is beyond 2^53")


def compare_frame(t, df, where):
    if list(df.columns) != t.cols:
        fail(f"{where}: columns {list(df.columns)}")
    if len(df) != len(t.rows):
        fail(f"{where}: {len(df)} rows, the text {len(t.rows)}")
    cols = [df[c].tolist() for c in t.cols]
    for k, c in enumerate(t.cols):
        for i in range(len(t.rows)):
            g = cols[k][i]
            if hasattr(g, "item"):
                g = g.item()  # a numpy scalar
            same(t.value(i, k), g, c, f"{where}: row {i + 1}")
    return len(t.rows) * len(t.cols)


def cmd_pandas(out, recipe):
    import pandas as pd
    env = {}
    exec(open(recipe).read(), env)
    n = 0
    for name in TABLES:
        t = Table(out, name)
        check_ints_fit(t)
        # every capture, one frame (the recipe's read_all)
        df = env["read_all"](out, name)
        want = {"count": "Int64", "int": "Int64", "bool": "Int64", "port": "Int64",
                "id": "UInt64", "text": "string", "addr": "string", "hex": "string"}
        for c, ty in zip(t.cols, t.types):
            got = str(df[c].dtype)
            if got != want.get(ty, "float64"):
                fail(f"pandas {name}: column {c} ({ty}) read as {got}")
        n += compare_frame(t, df.astype(object).where(df.notna(), None), f"pandas {name}")
        # each capture on its own, and pandas' plain guess concatenated: the
        # identifiers (hex) stay the text they are
        plain = []
        for d in folders(out):
            p = f"{d}/{name}.tsv"
            if os.path.exists(p):
                one = env["read_table"](d, name)
                if list(one.columns) != t.cols:
                    fail(f"pandas {p}: columns")
                # typed by the schema with rows or without (a header only)
                for c, ty in zip(t.cols, t.types):
                    if str(one[c].dtype) != want.get(ty, "float64"):
                        fail(f"pandas {p}: column {c} ({ty}) read as {one[c].dtype}")
                plain.append(pd.read_csv(p, sep="\t", na_values=["-"], keep_default_na=False, quoting=3))
        guess = pd.concat(plain, ignore_index=True)
        for k, (c, ty) in enumerate(zip(t.cols, t.types)):
            if ty == "hex":
                got = guess[c].tolist()
                for i in range(len(t.rows)):
                    same(t.value(i, k), None if isinstance(got[i], float) else got[i], c,
                         f"pandas guessed {name}: row {i + 1}")
            elif ty in INT_TYPES and len(t.rows):
                # a guess may make a column with '-' float64: still exact
                for i, g in enumerate(guess[c].tolist()):
                    e = t.value(i, k)
                    if e is not None and (g != g or int(g) != e):
                        fail(f"pandas guessed {name}: row {i + 1}: column {c}: {e} read as {g}")
    print(f"pandas: {len(TABLES)} tables, {n} values as the text")


def cmd_duckdb(out, guessed, typed):
    g = json.load(open(guessed))
    ty = json.load(open(typed))
    n = 0
    duck_int = {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER",
                "USMALLINT", "UTINYINT", "HUGEINT"}
    for name in TABLES:
        t = Table(out, name)
        check_ints_fit(t)
        r = ty[name]
        want = {"count": "BIGINT", "int": "BIGINT", "bool": "BIGINT", "port": "BIGINT",
                "id": "UBIGINT", "text": "VARCHAR", "addr": "VARCHAR", "hex": "VARCHAR"}
        if r["names"] != t.cols:
            fail(f"duckdb typed {name}: columns {r['names']}")
        for c, tt, dt in zip(t.cols, t.types, r["types"]):
            if dt != want.get(tt, "DOUBLE"):
                fail(f"duckdb typed {name}: column {c} ({tt}) is {dt}")
        n += compare_rows(t, r["rows"], f"duckdb typed {name}")
        # the guess, on tables with rows: identifiers text, integers
        # integers, every value as the text
        if not t.rows:
            continue
        r = g[name]
        if r["names"] != t.cols:
            fail(f"duckdb guessed {name}: columns {r['names']}")
        for k, (c, tt, dt) in enumerate(zip(t.cols, t.types, r["types"])):
            allnull = all(row[k] == "-" for row in t.rows)
            # an identifier: text, or (DuckDB reads 0x... as a number when
            # every value fits) a 64-bit integer of the same value
            if tt == "hex" and dt != "VARCHAR" and dt not in duck_int:
                fail(f"duckdb guessed {name}: identifier {c} is {dt}")
            if tt == "hex" and dt in duck_int:
                width = max(len(row[k]) for row in t.rows) - 2
                for row in r["rows"]:
                    if row[k] is not None:
                        row[k] = "0x%0*x" % (width, int(row[k]))
            if tt in INT_TYPES and not allnull and dt not in duck_int and not (tt == "bool" and dt == "BOOLEAN"):
                fail(f"duckdb guessed {name}: integer {c} is {dt}")
        n += compare_rows(t, r["rows"], f"duckdb guessed {name}")
    print(f"duckdb: {len(TABLES)} tables, {n} values as the text")


def compare_rows(t, rows, where, real_exact=True):
    """rows (a loader's, in any order) are the text's rows."""
    if len(rows) != len(t.rows):
        fail(f"{where}: {len(rows)} rows, the text {len(t.rows)}")

    def render(v, ty):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "-"
        if ty in REAL_TYPES:
            return repr(float(v))
        return str(int(v)) if isinstance(v, bool) else str(v)
    text = sorted(range(len(t.rows)), key=lambda i: [render(t.value(i, k), ty) for k, ty in enumerate(t.types)])
    got = sorted(rows, key=lambda row: [render(v, ty) for v, ty in zip(row, t.types)])
    for j, i in enumerate(text):
        for k, c in enumerate(t.cols):
            v = got[j][k]
            if isinstance(v, bool):
                v = int(v)
            same(t.value(i, k), v, c, f"{where}: row {i + 1}", real_exact)
    return len(t.rows) * len(t.cols)


def cmd_sqlite(out, db):
    con = sqlite3.connect(db)
    n = 0
    affinity = {"integer": INT_TYPES, "real": REAL_TYPES, "text": TEXT_TYPES}
    for name in TABLES:
        t = Table(out, name)
        cur = con.execute(f'SELECT * FROM "{name}"')
        if [d[0] for d in cur.description] != t.cols:
            fail(f"sqlite3 {name}: columns")
        rows = cur.fetchall()
        for row in rows:
            for c, tt, v in zip(t.cols, t.types, row):
                kind = {int: "integer", float: "real", str: "text"}.get(type(v))
                if v is not None and tt not in affinity[kind]:
                    # an integral REAL reads back as int in Python only if stored so
                    if not (kind == "integer" and tt in REAL_TYPES):
                        fail(f"sqlite3 {name}: column {c} ({tt}) holds a {kind}: {v!r}")
        n += compare_rows(t, [list(r) for r in rows], f"sqlite3 {name}", real_exact=False)
    print(f"sqlite3: {len(TABLES)} tables, {n} values as the text")


def cmd_miller(out, name, tsv, js):
    t = Table(out, name)
    if not t.rows and os.path.getsize(tsv) == 0:
        got = [t.cols]  # no record: Miller writes no header either
    else:
        got = lines(tsv)
    if got[0] != t.cols or got[1:] != t.rows:
        fail(f"miller {name}: mlr --tsv cat does not give the rows as written")
    recs = json.load(open(js))
    if len(recs) != len(t.rows):
        fail(f"miller {name}: {len(recs)} JSON records")
    for i, r in enumerate(recs):
        for k, c in enumerate(t.cols):
            want = t.rows[i][k]
            # Miller decodes the escapes of names
            want = (want.replace("\\\\", "\0").replace("\\t", "\t").replace("\\n", "\n")
                    .replace("\\r", "\r").replace("\0", "\\"))
            if r[c] != want:
                fail(f"miller {name}: row {i + 1}: column {c}: {r[c]!r}, the text {want!r}")
    print(f"miller {name}: {len(t.rows)} rows as written")


def cmd_awk(out, sums):
    n = 0
    for line in open(sums):
        name, col, got = line.rstrip("\n").split("\t")
        t = Table(out, name)
        k = t.cols.index(col)
        exact = sum(v for v in (t.value(i, k) for i in range(len(t.rows))) if v is not None)
        if str(exact) != got:
            fail(f"awk {name}: sum of {col}: {got}, exactly {exact}")
        n += 1
    if n == 0:
        fail("awk: no sums")
    print(f"awk: {n} column sums exact")


if __name__ == "__main__":
    cmds = {"schema": cmd_schema, "pandas": cmd_pandas, "duckdb": cmd_duckdb,
            "sqlite": cmd_sqlite, "miller": cmd_miller, "awk": cmd_awk}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        fail(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])

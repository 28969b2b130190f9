#!/usr/bin/env bats
# aggregate: statistics against numpy (computed here by /usr/bin/python3
# with python3-numpy, never by the tool), CDF/wCDF/histograms against
# hand-computed examples written beside each test, CSV input and output,
# errors.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

setup() {
    BIN=${MPTCP_TOOLS_BIN:-$BATS_TEST_DIRNAME/../bin}
    T=$BATS_TEST_TMPDIR
    PY=/usr/bin/python3
    [ -x "$BIN/aggregate" ] || fail "aggregate not built"
}

need_numpy() {
    $PY -c 'import numpy' 2>/dev/null || fail "python3-numpy missing: sh test/deps check installs it"
}

# random records (fixed seeds): app, cond, rtt with decimals, bytes ints,
# a few '-' missing values
make_random() {
    $PY - "$1" <<'PY'
import random, sys
r = random.Random(20240611)
with open(sys.argv[1], "w") as f:
    f.write("app\tcond\trtt_avg_ms\tbytes\n")
    for i in range(2000):
        app = r.choice(["maps", "web", "video"])
        cond = r.choice(["wifi", "lte"])
        rtt = "-" if r.random() < 0.02 else "%.3f" % r.lognormvariate(3, 1)
        f.write("%s\t%s\t%s\t%d\n" % (app, cond, rtt, r.randint(0, 10**7)))
PY
}

@test "summary statistics match numpy (mean, sample std with ddof=1, median, percentiles)" {
    need_numpy
    make_random $T/r.tsv
    run "$BIN/aggregate" -g app,cond -a count,count:rtt_avg_ms,sum:rtt_avg_ms,min:rtt_avg_ms,max:rtt_avg_ms \
        -a mean:rtt_avg_ms,stdev:rtt_avg_ms,median:rtt_avg_ms -a p0:rtt_avg_ms,p1:rtt_avg_ms,p25:rtt_avg_ms \
        -a p50:rtt_avg_ms,p90:rtt_avg_ms,p99.9:rtt_avg_ms,p100:rtt_avg_ms -a sum:bytes,mean:bytes,p33.3:bytes $T/r.tsv
    assert_success
    printf '%s\n' "$output" > $T/out.tsv
    run $PY - $T/r.tsv $T/out.tsv <<'PY'
import sys, numpy as np
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
out = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
hdr, out = out[0], out[1:]
groups = []
for a, c, _, _ in rows:
    if (a, c) not in groups:
        groups.append((a, c))
assert [tuple(o[:2]) for o in out] == groups, "group order"
bad = 0
for o in out:
    g = [r for r in rows if (r[0], r[1]) == tuple(o[:2])]
    x = np.array([float(r[2]) for r in g if r[2] != "-"])
    b = np.array([float(r[3]) for r in g])
    exp = [len(g), len(x), x.sum(), x.min(), x.max(), x.mean(), x.std(ddof=1), np.median(x),
           np.percentile(x, 0), np.percentile(x, 1), np.percentile(x, 25),
           np.percentile(x, 50), np.percentile(x, 90), np.percentile(x, 99.9),
           np.percentile(x, 100), b.sum(), b.mean(), np.percentile(b, 33.3)]
    for name, got, want in zip(hdr[2:], o[2:], exp):
        # input values (min, max) as read; computed ones to 12
        # significant digits: within half a unit of the 12th
        tol = 0 if name.startswith(("min_", "max_")) else 5e-12
        digits = len(got.lstrip("-").replace(".", "").lstrip("0"))
        if not np.isclose(float(got), want, rtol=tol, atol=0) or (tol and "e" not in got and digits > 12):
            print("%s %s: got %s, numpy %r" % (o[:2], name, got, want)); bad += 1
sys.exit(bad != 0)
PY
    assert_success
}

@test "percentiles are numpy's (linear, lerp from above for gamma >= 0.5), to 12 significant digits" {
    need_numpy
    printf 'x\n0.1\n0.7\n0.2\n1e-3\n3.3\n-2.5\n' > $T/p.tsv
    run "$BIN/aggregate" -a p10:x,p37.5:x,p60:x,p75:x,p99:x,median:x $T/p.tsv
    expected=$($PY -c '
import numpy as np
x = np.array([0.1, 0.7, 0.2, 1e-3, 3.3, -2.5])
# computed numbers: 12 significant digits (aggregate(1))
print("\t".join("%.12g" % float(v) for v in [np.percentile(x, 10), np.percentile(x, 37.5), np.percentile(x, 60),
    np.percentile(x, 75), np.percentile(x, 99), np.median(x)]))')
    assert_line --index 0 "$(printf 'p10_x\tp37_5_x\tp60_x\tp75_x\tp99_x\tmedian_x')"
    assert_line --index 1 "$expected"
}

@test "count, count:col, distinct, first, last, renamed outputs" {
    printf 'g\tv\tw\na\t1\tx\nb\t-\ty\na\t\tx\na\t3\tz\nb\t5\t-\n' > $T/s.tsv
    # by hand: group a rows 3, v present 2 (1 and 3; '' is missing),
    # distinct w {x,z} = 2, first w x, last w z; group b rows 2, v present 1,
    # distinct w {y} = 1, first/last y (the '-' is skipped)
    run "$BIN/aggregate" -g g -a count=n,count:v,distinct:w,first:w,last:w=final $T/s.tsv
    assert_success
    assert_output "$(printf 'g\tn\tcount_v\tdistinct_w\tfirst_w\tfinal\na\t3\t2\t2\tx\tz\nb\t2\t1\t1\ty\ty')"
}

@test "ratio: the sums' ratio per group, and over the rows, as Python computes it; by hand" {
    # random whole numbers (exact sums), a few missing, some groups whose
    # denominator sums to 0
    $PY - $T/q.tsv <<'PY'
import random, sys
r = random.Random(14)
with open(sys.argv[1], "w") as f:
    f.write("g\tnum\tden\n")
    for i in range(3000):
        g = r.choice(["a", "b", "c", "zero"])
        d = 0 if g == "zero" else r.randint(0, 10**6)
        f.write("%s\t%s\t%s\n" % (g, "-" if r.random() < 0.05 else r.randint(0, 10**6),
                                 "-" if r.random() < 0.05 else d))
PY
    run "$BIN/aggregate" -g g -a ratio:num/den,ratio:num=per_row,ratio:den/num $T/q.tsv
    assert_success
    assert_equal "${lines[0]}" "$(printf 'g\tratio_num_den\tper_row\tratio_den_num')"
    printf '%s\n' "$output" > $T/out.tsv
    run $PY - $T/q.tsv $T/out.tsv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
want = {}
for r in rows:
    w = want.setdefault(r["g"], [0, 0, 0])
    w[0] += 0 if r["num"] == "-" else int(r["num"])
    w[1] += 0 if r["den"] == "-" else int(r["den"])
    w[2] += 1
ratio = lambda a, b: "%.6f" % (a / b) if b else "-"
got = {o["g"]: o for o in csv.DictReader(open(sys.argv[2]), delimiter="\t")}
assert sorted(got) == sorted(want), sorted(got)
bad = 0
for g, (n, d, k) in want.items():
    exp = [ratio(n, d), ratio(n, k), ratio(d, n)]
    if [got[g]["ratio_num_den"], got[g]["per_row"], got[g]["ratio_den_num"]] != exp:
        print(g, got[g], exp); bad += 1
assert got["zero"]["ratio_num_den"] == "-"
sys.exit(bad != 0)
PY
    assert_success
    # by hand: x: (1 + 1) / 3 (a missing den adds nothing), 2 / 2 rows;
    # y: den 0
    printf 'g\ta\tb\nx\t1\t3\nx\t1\t-\ny\t2\t0\n' > $T/h.tsv
    run "$BIN/aggregate" -g g -a count,ratio:a/b,ratio:a=per_row $T/h.tsv
    assert_success
    assert_output "$(printf 'g\tcount\tratio_a_b\tper_row\nx\t2\t0.666667\t1.000000\ny\t1\t-\t2.000000')"
    run "$BIN/aggregate" -a ratio:a/ $T/h.tsv
    assert_failure 2
    assert_output "aggregate: -a ratio:a/: empty column name"
    run "$BIN/aggregate" -a ratio:a/nosuch $T/h.tsv
    assert_failure 1
}

@test "no -a means count; no -g means one total row" {
    printf 'g\tv\na\t1\nb\t2\na\t3\n' > $T/s.tsv
    run "$BIN/aggregate" -g g $T/s.tsv
    assert_output "$(printf 'g\tcount\na\t2\nb\t1')"
    run "$BIN/aggregate" -a sum:v,mean:v $T/s.tsv
    # 1+2+3 = 6, mean 2
    assert_output "$(printf 'sum_v\tmean_v\n6\t2')"
}

@test "cdf: the original scripts' points y=i/n plus (max, 1), per group" {
    printf 'cond\trtt\nlte\t30\nwifi\t5\nlte\t10\nlte\t20\nwifi\t-\nlte\t20\n' > $T/c.tsv
    # lte sorted 10 20 20 30, n=4: y 0, .25, .5, .75, then (30, 1);
    # wifi: one value 5 (the '-' is left out): (5, 0), (5, 1)
    run "$BIN/aggregate" -g cond -c rtt $T/c.tsv
    assert_success
    assert_output "$(printf 'cond\trtt\tcdf\nlte\t10\t0\nlte\t20\t0.25\nlte\t20\t0.5\nlte\t30\t0.75\nlte\t30\t1\nwifi\t5\t0\nwifi\t5\t1')"
}

@test "wcdf: byte-weighted CDF, running sum over total" {
    printf 'dur\tbytes\n2\t100\n1\t300\n4\t500\n3\t100\n' > $T/w.tsv
    # sorted by dur: (1,300) (2,100) (3,100) (4,500), total 1000:
    # running sums 300 400 500 1000 -> 0.3 0.4 0.5 1
    run "$BIN/aggregate" -c dur -w bytes $T/w.tsv
    assert_success
    assert_output "$(printf 'dur\twcdf\n1\t0.3\n2\t0.4\n3\t0.5\n4\t1')"
}

@test "cdf and wcdf of random data match numpy's sort/cumsum" {
    need_numpy
    make_random $T/r.tsv
    "$BIN/aggregate" -g cond -c rtt_avg_ms -w bytes $T/r.tsv > $T/w.out
    "$BIN/aggregate" -g cond -c rtt_avg_ms $T/r.tsv > $T/c.out
    run $PY - $T/r.tsv $T/c.out $T/w.out <<'PY'
import sys, numpy as np
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
def load(p):
    return [l.rstrip("\n").split("\t") for l in open(p)][1:]
c, w = load(sys.argv[2]), load(sys.argv[3])
for cond in ("wifi", "lte"):
    g = [(float(r[2]), float(r[3])) for r in rows if r[1] == cond and r[2] != "-"]
    v = np.sort([a for a, _ in g])
    y = np.append(np.arange(len(v)) / float(len(v)), 1.0)   # the original scripts' code
    x = np.append(v, v[-1])
    got = np.array([[float(a), float(b)] for k, a, b in c if k == cond])
    assert np.array_equal(got[:, 0], x) and np.allclose(got[:, 1], y, rtol=1e-15), cond
    p = sorted(g)
    ws = np.cumsum([b for _, b in p]) / sum(b for _, b in p)
    got = np.array([[float(a), float(b)] for k, a, b in w if k == cond])
    assert np.array_equal(got[:, 0], [a for a, _ in p]), cond
    assert np.allclose(got[:, 1], ws, rtol=1e-12) and got[-1, 1] == 1.0, cond
PY
    assert_success
}

@test "histogram: edges list and lo:hi:n, weights, as numpy.histogram" {
    need_numpy
    printf 'v\tw\n0\t1\n1\t2\n2.5\t3\n5\t4\n10\t5\n11\t6\n-1\t7\n' > $T/h.tsv
    # edges 0,1,5,10: [0,1) {0}, [1,5) {1,2.5}, [5,10] {5,10}; 11 and -1 out
    run "$BIN/aggregate" -H v -b 0,1,5,10 $T/h.tsv
    assert_output "$(printf 'bin_lo\tbin_hi\tcount\tfraction\n0\t1\t1\t0.2\n1\t5\t2\t0.4\n5\t10\t2\t0.4')"
    run "$BIN/aggregate" -H v -b 0,1,5,10 -w w $T/h.tsv
    # weights: 1 | 2+3 | 4+5, total 15: fractions 1/15, 5/15 and 9/15 to
    # 12 significant digits
    assert_output "$(printf 'bin_lo\tbin_hi\tcount\tweight\tfraction\n0\t1\t1\t1\t0.0666666666667\n1\t5\t2\t5\t0.333333333333\n5\t10\t2\t9\t0.6')"
    "$BIN/aggregate" -H v -b 0:10:4 $T/h.tsv > $T/h.out
    run $PY -c '
import sys, numpy as np
v = [0, 1, 2.5, 5, 10, 11, -1]
cnt, edges = np.histogram(v, bins=4, range=(0, 10))
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()[1:]]
assert [int(r[2]) for r in rows] == list(cnt), (rows, cnt)
assert [float(r[0]) for r in rows] == list(edges[:-1]) and float(rows[-1][1]) == edges[-1]
' $T/h.out
    assert_success
}

@test "foreign CSV with quoted fields (--csv, -d), CSV output (-o csv)" {
    cat > $T/f.csv <<'CSV'
"phone, model","bytes",note
"Nexus 5, ""white""",100,"a,b"
"Nexus 5, ""white""",50,x
Moto G,7,"multi
line"
CSV
    # by hand: group 'Nexus 5, "white"' sum 150; 'Moto G' 7
    run "$BIN/aggregate" --csv -g 'phone\, model' -a sum:bytes -o csv $T/f.csv
    assert_success
    assert_output "$(printf '"phone, model",sum_bytes\n"Nexus 5, ""white""",150\nMoto G,7')"
    # the same file with ; as the separator: "a,b" became "a;b", which needs
    # no quotes in comma-separated output
    tr ',' ';' < $T/f.csv > $T/f.ssv
    run "$BIN/aggregate" -d semicolon -g note -a count -o csv $T/f.ssv
    assert_output "$(printf 'note,count\na;b,1\nx,1\n"multi\nline",1')"
    # a quoted tab-separated file
    printf '"a b"\tv\n"x\ty"\t1\nz\t2\n' > $T/q.tsv
    run "$BIN/aggregate" -d tab -a sum:v $T/q.tsv
    assert_output "$(printf 'sum_v\n3')"
    # a value with a tab cannot go out as TSV
    run "$BIN/aggregate" -d tab -g 'a b' $T/q.tsv
    assert_failure 1
    assert_output --partial "use -o csv"
    run "$BIN/aggregate" -d tab -g 'a b' -o csv $T/q.tsv
    assert_output "$(printf 'a b,count\nx\ty,1\nz,1')"
}

@test "malformed CSV and short records: error with the line" {
    printf 'a,b\n1,2\n3,"4\n' > $T/bad.csv
    run "$BIN/aggregate" --csv $T/bad.csv
    assert_failure 1
    assert_output --partial "bad.csv:3:"
    printf 'a,b\n1,2\n3\n' > $T/short.csv
    run "$BIN/aggregate" --csv $T/short.csv
    assert_failure 1
    assert_output --partial "short.csv:3: 1 fields, the header has 2"
}

@test "several inputs, columns found by name in each" {
    printf 'g\tv\na\t1\n' > $T/1.tsv
    printf 'v\tx\tg\n2\t0\ta\n5\t0\tb\n' > $T/2.tsv
    run "$BIN/aggregate" -g g -a sum:v $T/1.tsv $T/2.tsv
    assert_output "$(printf 'g\tsum_v\na\t3\nb\t5')"
}

@test "missing column: error naming it" {
    printf 'g\tv\na\t1\n' > $T/s.tsv
    run "$BIN/aggregate" -g g -a mean:rtt_avg_ms $T/s.tsv
    assert_failure 1
    assert_output "aggregate: $T/s.tsv: input has no column 'rtt_avg_ms'"
    run "$BIN/aggregate" -g nosuch $T/s.tsv
    assert_output --partial "no column 'nosuch'"
    printf 'g,v\na,1\n' > $T/s.csv
    run "$BIN/aggregate" --csv -c w $T/s.csv
    assert_output --partial "no column 'w'"
}

@test "non-numeric values: error with line and column, or -s skips and counts" {
    printf 'g\tv\na\t1\na\tfast\nb\t2\nb\tnan\nb\t0x10\n' > $T/n.tsv
    run "$BIN/aggregate" -g g -a mean:v $T/n.tsv
    assert_failure 1
    assert_output "aggregate: $T/n.tsv:3: column 'v': not a number 'fast' (-s skips such values)"
    run "$BIN/aggregate" -s -g g -a mean:v,count:v $T/n.tsv
    assert_success
    # by hand: a mean 1 (fast skipped), b mean 2 (nan, 0x10 skipped);
    # count:v counts present fields, numeric or not
    assert_line --index 0 "$(printf 'g\tmean_v\tcount_v')"
    assert_line --index 1 "$(printf 'a\t1\t2')"
    assert_line --index 2 "$(printf 'b\t2\t3')"
    assert_line --index 3 "aggregate: skipped 3 non-numeric values in column 'v'"
    run "$BIN/aggregate" -s -c v $T/n.tsv
    assert_success
    run "$BIN/aggregate" -c v $T/n.tsv
    assert_failure 1
}

@test "numbers: signs, exponents, whole results as integers" {
    printf 'v\n-1.5e2\n+50\n.5\n' > $T/x.tsv
    # -150 + 50 + 0.5 = -99.5; min -150; max 50
    run "$BIN/aggregate" -a sum:v,min:v,max:v $T/x.tsv
    assert_output "$(printf 'sum_v\tmin_v\tmax_v\n-99.5\t-150\t50')"
}

@test "empty input: header only gives a total row or no groups; no header is an error" {
    printf 'g\tv\n' > $T/h.tsv
    run "$BIN/aggregate" -a count,mean:v,p50:v,first:v $T/h.tsv
    assert_success
    assert_output "$(printf 'count\tmean_v\tp50_v\tfirst_v\n0\t-\t-\t-')"
    run "$BIN/aggregate" -g g -a count $T/h.tsv
    assert_output "$(printf 'g\tcount')"
    run "$BIN/aggregate" -c v $T/h.tsv
    assert_output "$(printf 'v\tcdf')"
    run "$BIN/aggregate" /dev/null
    assert_failure 1
    assert_output --partial "empty input"
    run "$BIN/aggregate" --csv /dev/null
    assert_failure 1
    assert_output --partial "empty input"
}

@test "usage errors exit 2" {
    printf 'v\tw\n1\t1\n' > $T/s.tsv
    run "$BIN/aggregate" -h
    assert_success
    assert_output --partial "usage: aggregate"
    for args in "-a median" "-a p101:v" "-a pfoo:v" "-a bogus:v" "-a mean:" "-w w" \
                "-c v -H v -b 0,1" "-H v" "-b 0,1" "-a mean:v -c v" "-H v -b 1,0" \
                "-H v -b 0:1:0" "-o xml" "-d ab" "-g ," "--nosuch"; do
        run "$BIN/aggregate" $args $T/s.tsv
        [ "$status" -eq 2 ] || fail "aggregate $args: status $status, $output"
    done
}

@test "a negative weight is an error" {
    printf 'v\tw\n1\t-3\n' > $T/s.tsv
    run "$BIN/aggregate" -c v -w w $T/s.tsv
    assert_failure 1
    assert_output --partial "negative weight"
}

@test "long options" {
    printf 'g\tv\tw\na\t1\t2\na\t3\t2\n' > $T/s.tsv
    run "$BIN/aggregate" --group g --agg mean:v --output csv $T/s.tsv
    assert_output "$(printf 'g,mean_v\na,2')"
    run "$BIN/aggregate" --hist v --bins 0,2,4 --weight w --skip-bad $T/s.tsv
    assert_line --index 1 "$(printf '0\t2\t1\t2\t0.5')"
    run "$BIN/aggregate" --cdf v --weight w $T/s.tsv
    assert_line --index 1 "$(printf '1\t0.5')"
}

@test "computed numbers to 12 significant digits, input values as they were read" {
    # by hand: 0.1 + 0.2 is 0.30000000000000004 in binary, written 0.3;
    # their mean 0.15000000000000002, written 0.15; the minimum and the
    # maximum are input values, written in full (17 digits here); the sum
    # 0.42345678901234568 to 12 digits
    printf 'x\n0.1\n0.2\n0.12345678901234568\n' > $T/r.tsv
    run "$BIN/aggregate" -a sum:x,min:x,max:x $T/r.tsv
    assert_output "$(printf 'sum_x\tmin_x\tmax_x\n0.423456789012\t0.1\t0.2')"
    printf 'x\n0.1\n0.2\n' > $T/r.tsv
    run "$BIN/aggregate" -a sum:x,mean:x,median:x $T/r.tsv
    assert_output "$(printf 'sum_x\tmean_x\tmedian_x\n0.3\t0.15\t0.15')"
    printf 'x\n0.12345678901234568\n' > $T/r.tsv
    run "$BIN/aggregate" -c x $T/r.tsv
    assert_output "$(printf 'x\tcdf\n0.12345678901234568\t0\n0.12345678901234568\t1')"
}

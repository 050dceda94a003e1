#!/usr/bin/env python3
"""Compare a store made by `mailatlas scan ../shared/corpus` with labels/dev.jsonl (Python's mailbox split).

Usage: scripts/compare-corpus-scan.py STORE [CORPUS]
Prints every label message the store lacks and every stored message the labels lack, by file.
"""
import collections, json, os, sqlite3, sys

store = sys.argv[1]
corpus = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "../../shared/corpus"))
db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
rows = db.execute("SELECT source_path, source_index, sha256 FROM messages WHERE removed_scan_id IS NULL").fetchall()
ours = collections.defaultdict(list)
for path, idx, sha in rows:
    rel = os.path.relpath(os.path.abspath(path), corpus)
    ours[rel].append((idx, sha))
labels = collections.defaultdict(list)
for line in open(os.path.join(corpus, "labels/dev.jsonl")):
    d = json.loads(line)
    src = d["src"]
    if os.path.exists(os.path.join(corpus, src)):
        labels[src].append((0, d["sha256"]))
    else:
        p, n = src.rsplit("#", 1)
        labels[p].append((int(n), d["sha256"]))
print(f"store: {len(rows)} messages in {len(ours)} files; labels: {sum(map(len, labels.values()))} in {len(labels)} files")
same = 0
for f in sorted(set(ours) | set(labels)):
    a, b = sorted(ours.get(f, [])), sorted(labels.get(f, []))
    if len(a) == len(b):
        same += len(a)
        hash_diff = sum(1 for x, y in zip(a, b) if x[1] != y[1])
        if hash_diff:
            print(f"  {f}: same count {len(a)}, {hash_diff} differ in bytes")
        continue
    print(f"  {f}: store {len(a)}, labels {len(b)}")

#!/usr/bin/env python3
"""Seed inputs for one fuzz target, cut from the development corpus and the project's own examples.

    scripts/fuzz-seeds.py TARGET DIR

Reads ../shared/corpus (or $MAILATLAS_CORPUS) when it is there, examples/spool and the test fixtures; writes at
most a few thousand small files into DIR, shaped the way the target's harness reads its input
(Tests/FuzzHarness/FuzzHarness.swift). Nothing is copied into the repository.
"""
import bz2
import gzip
import hashlib
import lzma
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_SEEDS = 3000


def sources():
    roots = []
    corpus = os.environ.get("MAILATLAS_CORPUS") or os.path.join(os.path.dirname(ROOT), "shared", "corpus")
    if os.path.isdir(corpus):
        roots.append(corpus)
    roots.append(os.path.join(ROOT, "examples", "spool"))
    roots.append(os.path.join(ROOT, "Tests"))
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in (".build", "labels", "_meta"))
            for name in sorted(filenames):
                if name.endswith((".swift", ".json", ".jsonl", ".md", ".txt")) and "Fixtures" not in dirpath:
                    continue
                path = os.path.join(dirpath, name)
                try:
                    if os.path.getsize(path) == 0 or not os.path.isfile(path):
                        continue
                    with open(path, "rb") as f:
                        yield path, f.read(1 << 20)
                except OSError:
                    continue


def messages():
    """(path, bytes) of single messages: plain files and the messages of mbox files."""
    for path, data in sources():
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)[: 1 << 20]
            except Exception:
                continue
        if data.startswith(b"From "):
            for part in re.split(rb"\n(?=From \S+ .*\d\d:\d\d)", data):
                nl = part.find(b"\n")
                yield path, part[nl + 1 :] if part.startswith(b"From ") else part
        elif re.match(rb"[A-Za-z0-9-]+:", data):
            yield path, data


def zstd_raw(data):
    """A zstd frame of raw (uncompressed) blocks: valid input for the decoder, made without a zstd module."""
    out = bytearray(b"\x28\xb5\x2f\xfd")
    out.append(0x00)  # frame header: no content size, no checksum, window descriptor follows
    out.append(0x58)  # window 2^(10 + 11) = 2 MiB
    for i in range(0, max(len(data), 1), 65536):
        chunk = data[i : i + 65536]
        last = i + 65536 >= len(data)
        header = (len(chunk) << 3) | (0 << 1) | (1 if last else 0)
        out += header.to_bytes(3, "little") + chunk
    return bytes(out)


def dovecot_lz4(data):
    """Dovecot's LZ4 container of literal-only LZ4 blocks (valid without an lz4 module)."""
    out = bytearray(b"Dovecot-LZ4\x0d\x2a\x9b\xc5" + (65536).to_bytes(4, "big"))
    for i in range(0, len(data), 65536):
        chunk = data[i : i + 65536]
        n = len(chunk)
        block = bytearray([min(n, 15) << 4])
        if n >= 15:
            rest = n - 15
            while rest >= 255:
                block.append(255)
                rest -= 255
            block.append(rest)
        block += chunk
        out += len(block).to_bytes(4, "big") + block
    return bytes(out)


def header_block(m):
    end = re.search(rb"\r?\n\r?\n", m)
    return m[: end.end()] if end else m[:16384]


def unfolded_received(m):
    head = header_block(m)
    for match in re.finditer(rb"(?im)^received:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)", head):
        yield re.sub(rb"\r?\n", b"", match.group(1))


def seeds(target):
    rng = random.Random(target)
    if target == "header":
        for _, m in messages():
            yield header_block(m)[:65536]
    elif target == "received":
        for _, m in messages():
            yield from unfolded_received(m)
    elif target == "mbox":
        for path, data in sources():
            if data.startswith(b"From ") or b"\nFrom " in data[:65536]:
                yield bytes([rng.randrange(256)]) + data[:131072]
        batch = []
        for _, m in messages():
            batch.append(b"From sender@example.org Tue Oct 14 09:15:02 2025\n" + m[:8192] + b"\n")
            if len(batch) == 8:
                yield bytes([rng.randrange(256)]) + b"".join(batch)
                batch = []
    elif target == "mime":
        for _, m in messages():
            yield bytes([rng.randrange(2)]) + m[:262144]
    elif target == "decoders":
        for _, m in messages():
            body = m[len(header_block(m)) :]
            if body:
                yield bytes([rng.randrange(256), rng.randrange(256)]) + body[:65536]
    elif target == "message":
        for _, m in messages():
            yield m[:262144]
    elif target == "gzip":
        for _, m in messages():
            z = gzip.compress(m[:65536], 6, mtime=0)
            yield z
            if rng.random() < 0.2:
                yield z[: rng.randrange(1, len(z))]
            if rng.random() < 0.2:
                yield z + z
    elif target == "decompress":
        # The first byte picks the format (FuzzHarness.decompress): 0 bzip2, 1 xz, 2 zstd (no Python module:
        # frames of raw blocks written here), 3 Dovecot LZ4 (literal-only blocks written here), 4 gzip.
        for _, m in messages():
            m = m[:16384]
            for fmt, z in ((0, bz2.compress(m)), (1, lzma.compress(m)), (2, zstd_raw(m)), (3, dovecot_lz4(m)),
                           (4, gzip.compress(m, 6, mtime=0))):
                yield bytes([fmt]) + z
                if rng.random() < 0.1:
                    yield bytes([fmt]) + z[: rng.randrange(1, len(z))]
    elif target == "urls":
        for _, m in messages():
            body = m[len(header_block(m)) :]
            html = b"<html" in body[:4096].lower() or b"href=" in body[:65536].lower()
            yield bytes([rng.randrange(256) | (4 if html else 0)]) + body[:65536]
    elif target == "zip":
        # A few archives made here: deflated and stored members, a nested archive, many members, ZIP64 records.
        import io
        import zipfile

        def make_zip(members, compression=zipfile.ZIP_DEFLATED, zip64=False):
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", compression) as z:
                for name, data in members:
                    info = zipfile.ZipInfo(name)
                    info.compress_type = compression
                    with z.open(info, "w", force_zip64=zip64) as f:
                        f.write(data)
            return out.getvalue()

        inner = make_zip([("invoice.exe", b"MZ" + bytes(200)), ("readme.txt", b"hello " * 50)])
        yield make_zip([("inner.zip", inner), ("doc.pdf", b"%PDF-1.4\n" + bytes(100))])
        yield make_zip([("a%d.js" % i, b"var x = %d;" % i) for i in range(60)], zipfile.ZIP_STORED)
        yield make_zip([("big.bin", bytes(100000))], zip64=True)
        yield make_zip([("../../evil.sh", b"#!/bin/sh\n"), ("\u202eexe.txt", b"x")])
        # Archive files among the fixtures, then archive attachments decoded from the messages that carry them.
        for _, data in sources():
            if data[:2] == b"PK" or data[:4] == b"Rar!":
                yield data[:262144]
        import base64
        import email
        import email.policy

        for _, m in messages():
            if b"Content-Transfer-Encoding: base64" not in m and b"content-transfer-encoding: base64" not in m.lower():
                continue
            try:
                msg = email.message_from_bytes(m, policy=email.policy.compat32)
            except Exception:
                continue
            for part in msg.walk():
                if part.is_multipart():
                    continue
                try:
                    payload = part.get_payload(decode=True) or b""
                except Exception:
                    continue
                if payload[:2] == b"PK" or payload[:4] == b"Rar!" or payload[:2] == b"\x1f\x8b":
                    yield payload[:262144]
        for _, m in messages():
            yield gzip.compress(m[:4096], 6, mtime=0)
    else:
        sys.exit(f"unknown target {target}")


def main():
    target, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    seen = set()
    for data in seeds(target):
        if not data:
            continue
        digest = hashlib.sha1(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        with open(os.path.join(out, digest), "wb") as f:
            f.write(data)
        if len(seen) >= MAX_SEEDS:
            break
    print(f"{len(seen)} seeds for {target} in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Fills a mailatlas store with N synthetic messages for timing `mailatlas report`.

    mailatlas scan EMPTY_DIR --db big.sqlite     # creates the schema (every migration) with no messages
    python3 Benchmarks/make-report-store.py big.sqlite 1000000

Messages are spread over the 12 months 2025-11 .. 2026-10 (a month holds about N/12), 70 % spam; origin IPs,
countries, providers and linked domains follow skewed (Zipf-like) distributions as spam does; every message has
two Received hops, about two links; 8 % have an attachment (a third of them archives, some holding executables);
1 % have a diagnostic; 3 % have no origin. The same N gives the same store (fixed seed).
"""
import random
import sqlite3
import sys

path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
db = sqlite3.connect(path)
db.execute("PRAGMA synchronous = OFF")
if db.execute("SELECT count(*) FROM messages").fetchone()[0]:
    sys.exit(f"{path} already holds messages")

countries = ["US", "CN", "RU", "BR", "IN", "DE", "VN", "FR", "NL", "GB", "ID", "TR", "UA", "KR", "JP", "PL",
             "IT", "ES", "MX", "AR", "TH", "IR", "PK", "NG", "ZA", "RO", "BG", "CA", "AU", "SG", "HK", "TW",
             "CO", "CL", "PE", "EG", "MA", "KZ", "BY", "SE", "CZ", "HU", "PT", "GR", "IL", "SA", "AE", "MY",
             "PH", "BD", "LT", "LV", "EE", "FI", "NO", "DK", "CH", "AT", "BE", "IE"]
tlds = ["com", "ru", "cn", "top", "xyz", "net", "org", "info", "shop", "online", "site", "de", "br", "in",
        "co.uk", "com.br", "icu", "club", "biz", "io"]


def zipf(k, s=1.1):
    """An index in [0, k) with a Zipf-like skew."""
    return min(k - 1, int(k * rng.random() ** (1 + s * 2)))


asns = [(10000 + i, f"Provider {i} Networks Ltd", countries[zipf(len(countries))]) for i in range(2000)]
ips = []
for i in range(200_000):
    asn = asns[zipf(len(asns))]
    ips.append((f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                asn))
domains = [(f"shop{i}-deals.{tlds[zipf(len(tlds))]}") for i in range(50_000)]
types = ["pdf", "zip", "docx", "png", "jpeg", "exe", "html", "xlsx", "rar5", "javascript", "iso9660"]
exts = {"pdf": "pdf", "zip": "zip", "docx": "docx", "png": "png", "jpeg": "jpg", "exe": "exe", "html": "html",
        "xlsx": "xlsx", "rar5": "rar", "javascript": "js", "iso9660": "iso"}

scan = db.execute("""INSERT INTO scans (started_at, finished_at, status, roots, tool_version, geo_databases)
              VALUES ('2026-11-01T03:00:00Z', '2026-11-01T04:00:00Z', 'completed', '["synthetic"]', 'bench',
              '[{"name":"Synthetic DB","date":"2026-10-01","kind":"embedded","path":"embedded"}]')""").lastrowid
start = 1761955200  # 2025-11-01T00:00:00Z
span = 365 * 86400
batch_m, batch_h, batch_l, batch_a, batch_am, batch_d = [], [], [], [], [], []
attachment_id = 0


def flush():
    db.executemany("""INSERT INTO messages (id, scan_id, source_path, source_index, source_offset, folder, size,
        sha256, message_id, date_utc, subject, from_addr, verdict, verdict_source, origin_ip, origin_hop,
        origin_rule, origin_confidence, origin_country, origin_asn, origin_as_org)
        VALUES (?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", batch_m)
    db.executemany("""INSERT INTO received_hops (message_id, position, from_helo, from_rdns, from_ip, by_host,
        protocol, trusted, country, asn, as_org) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", batch_h)
    db.executemany("""INSERT INTO links (message_id, url, host, domain, tld, source, count)
        VALUES (?, ?, ?, ?, ?, ?, ?)""", batch_l)
    db.executemany("""INSERT INTO attachments (id, message_id, part_path, filename, declared_type, detected_type,
        extension, size, sha256, is_archive, flags) VALUES (?, ?, '2', ?, ?, ?, ?, ?, ?, ?, ?)""", batch_a)
    db.executemany("""INSERT INTO archive_members (attachment_id, name, size, compressed_size, detected_type, depth)
        VALUES (?, ?, ?, ?, ?, 0)""", batch_am)
    db.executemany("""INSERT INTO diagnostics (scan_id, message_id, severity, code, message)
        VALUES (?, ?, 'warning', ?, 'synthetic')""", batch_d)
    for b in (batch_m, batch_h, batch_l, batch_a, batch_am, batch_d):
        b.clear()


for mid in range(1, n + 1):
    t = start + rng.randrange(span)
    days, secs = divmod(t, 86400)
    # civil date from days since 1970 (Hinnant)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (1 if m <= 2 else 0)
    date = f"{y:04d}-{m:02d}-{d:02d}T{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}Z"
    if mid % 997 == 0:
        date = None
    r = rng.random()
    verdict = "spam" if r < 0.7 else ("ham" if r < 0.95 else "unknown")
    folder = "Junk" if verdict == "spam" else "INBOX"
    ip, (asn, org, country) = ips[zipf(len(ips))]
    no_origin = rng.random() < 0.03
    batch_m.append((mid, scan, f"/var/vmail/{folder}/cur/{mid}", folder, 2000 + rng.randrange(40000), f"{mid:064x}",
                    f"<{mid}@bench>", date, f"Offer number {mid % 5000}", f"sender{mid % 9000}@example.{tlds[mid % 20]}",
                    verdict, "folder", None if no_origin else ip, None if no_origin else 1,
                    "none-unclear" if no_origin else "edge", "high", None if no_origin else country,
                    None if no_origin else asn, None if no_origin else org))
    batch_h.append((mid, 0, "mx.example.net", "mx.example.net", "10.0.0.2", "imap.example.net", "LMTP", 1,
                    None, None, None))
    batch_h.append((mid, 1, f"host{mid % 777}.example", f"dyn-{ip.replace('.', '-')}.isp.example", ip,
                    "mx.example.net", "ESMTP", 0, country, asn, org))
    for k in range(rng.choice((0, 1, 2, 2, 3, 4))):
        dom = domains[zipf(len(domains))]
        batch_l.append((mid, f"https://{dom}/p/{mid}/{k}", dom, dom, dom.split(".", 1)[1],
                        "href" if k % 2 == 0 else "text", 1 + k % 2))
    if rng.random() < 0.08:
        attachment_id += 1
        typ = types[zipf(len(types))]
        ext = exts[typ]
        flags = None
        if rng.random() < 0.05:
            flags, ext = "double-extension,extension-mismatch", "pdf"
        is_archive = typ in ("zip", "rar5", "iso9660")
        batch_a.append((attachment_id, mid, f"file{mid}.{ext}", "application/octet-stream", typ, ext,
                        1000 + rng.randrange(100000), f"{attachment_id:064x}", 1 if is_archive else 0, flags))
        if is_archive:
            for j in range(2):
                member = "exe" if j == 0 and rng.random() < 0.3 else "pdf"
                batch_am.append((attachment_id, f"invoice{j}.{member}", 5000, 3000, member))
    if rng.random() < 0.01:
        batch_d.append((scan, mid, rng.choice(("header.field-limit", "received.unreadable", "mime.boundary"))))
    if mid % 20000 == 0:
        flush()
flush()
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(f"{path}: {db.execute('SELECT count(*) FROM messages').fetchone()[0]} messages, "
      f"{db.execute('SELECT count(*) FROM links').fetchone()[0]} links, "
      f"{db.execute('SELECT count(*) FROM attachments').fetchone()[0]} attachments")

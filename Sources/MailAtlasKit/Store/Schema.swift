import GRDB

/// The store's schema: the public interface users' own SQL depends on (documented in `docs/schema.md`).
/// Migrations are named `v1`, `v2`, …; a released migration is never edited, only followed by a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (name, sql) in [
            ("v1", v1), ("v2", v2), ("v3", v3), ("v4", v4), ("v5", v5), ("v6", v6), ("v7", v7), ("v8", v8), ("v9", v9),
        ] {
            migrator.registerMigration(name) { db in try db.execute(sql: sql) }
        }
        return migrator
    }

    static let v1 = """
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
            roots TEXT NOT NULL,
            messages_added INTEGER NOT NULL DEFAULT 0,
            messages_updated INTEGER NOT NULL DEFAULT 0,
            messages_skipped INTEGER NOT NULL DEFAULT 0,
            messages_removed INTEGER NOT NULL DEFAULT 0,
            files_read INTEGER NOT NULL DEFAULT 0,
            files_not_mail INTEGER NOT NULL DEFAULT 0,
            diagnostics INTEGER NOT NULL DEFAULT 0,
            tool_version TEXT NOT NULL,
            options TEXT,
            geo_databases TEXT
        );

        CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            source_path TEXT NOT NULL,
            dir_path TEXT NOT NULL,
            kind TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            inode INTEGER NOT NULL,
            scanned_offset INTEGER NOT NULL DEFAULT 0,
            fingerprint TEXT,
            messages INTEGER NOT NULL DEFAULT 0,
            last_scan_id INTEGER NOT NULL,
            removed_scan_id INTEGER
        );
        CREATE INDEX files_dir ON files(dir_path);

        CREATE TABLE dirs (
            path TEXT PRIMARY KEY,
            mtime_ns INTEGER NOT NULL,
            messages INTEGER NOT NULL DEFAULT 0,
            last_scan_id INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            file_id INTEGER REFERENCES files(id) ON DELETE SET NULL,
            source_path TEXT NOT NULL,
            source_index INTEGER NOT NULL,
            source_offset INTEGER NOT NULL,
            folder TEXT,
            maildir_flags TEXT,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            message_id TEXT,
            date_utc TEXT,
            subject TEXT,
            from_addr TEXT,
            from_name TEXT,
            verdict TEXT NOT NULL CHECK (verdict IN ('spam', 'ham', 'unknown')),
            verdict_source TEXT,
            origin_ip TEXT,
            origin_hop INTEGER,
            origin_rule TEXT,
            origin_confidence TEXT,
            handover_ip TEXT,
            claimed_first_ip TEXT,
            originating_ip_header TEXT,
            origin_country TEXT,
            origin_asn INTEGER,
            origin_as_org TEXT,
            truncated INTEGER NOT NULL DEFAULT 0,
            updated_scan_id INTEGER,
            removed_scan_id INTEGER
        );
        CREATE INDEX messages_sha256 ON messages(sha256);
        CREATE INDEX messages_file ON messages(file_id, source_index);
        CREATE INDEX messages_date ON messages(date_utc);

        CREATE TABLE received_hops (
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            from_helo TEXT,
            from_rdns TEXT,
            from_ip TEXT,
            helo_ip TEXT,
            ident TEXT,
            by_host TEXT,
            via TEXT,
            protocol TEXT,
            smtp_id TEXT,
            for_addr TEXT,
            tls TEXT,
            auth TEXT,
            timestamp_utc TEXT,
            delay_seconds INTEGER,
            date_offset_seconds INTEGER,
            trusted INTEGER NOT NULL DEFAULT 0,
            country TEXT,
            asn INTEGER,
            as_org TEXT,
            PRIMARY KEY (message_id, position)
        ) WITHOUT ROWID;

        CREATE TABLE links (
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            host TEXT NOT NULL,
            domain TEXT NOT NULL,
            tld TEXT,
            is_ip INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL,
            count INTEGER NOT NULL DEFAULT 1,
            display_host TEXT,
            unicode_host TEXT,
            truncated INTEGER NOT NULL DEFAULT 0,
            defanged INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX links_message ON links(message_id);
        CREATE INDEX links_domain ON links(domain);

        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            part_path TEXT NOT NULL,
            filename TEXT,
            declared_type TEXT,
            detected_type TEXT,
            extension TEXT,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            is_inline INTEGER NOT NULL DEFAULT 0,
            is_archive INTEGER NOT NULL DEFAULT 0,
            encrypted INTEGER NOT NULL DEFAULT 0,
            flags TEXT
        );
        CREATE INDEX attachments_message ON attachments(message_id);

        CREATE TABLE archive_members (
            attachment_id INTEGER NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            size INTEGER NOT NULL,
            compressed_size INTEGER NOT NULL,
            detected_type TEXT,
            encrypted INTEGER NOT NULL DEFAULT 0,
            depth INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX archive_members_attachment ON archive_members(attachment_id);

        CREATE TABLE diagnostics (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
            source_path TEXT,
            source_offset INTEGER,
            severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
            code TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX diagnostics_scan ON diagnostics(scan_id);
        CREATE INDEX diagnostics_message ON diagnostics(message_id);
        """

    /// Reports (`mailatlas report`): covering indexes, so the aggregates of a period are range scans of an index and
    /// never touch the tables. `links_report` starts with `message_id` and so replaces `links_message`.
    static let v2 = """
        CREATE INDEX messages_report ON messages(date_utc, verdict, folder, origin_country, origin_asn, origin_ip,
            origin_as_org, origin_rule, truncated, removed_scan_id);
        CREATE INDEX links_report ON links(message_id, domain, tld, source, count, is_ip);
        DROP INDEX links_message;
        """

    /// Identity lookups that stay fast when one message is stored many times (a spam run delivered 100,000 times,
    /// an mbox whose bodies are full of `From ` lines cut into identical pieces): the writer looks a message up by
    /// hash and location, or by hash among removed rows, each an index seek instead of a walk over every copy.
    /// The composite index also serves every lookup by `sha256` alone, so the v1 index on it goes.
    static let v3 = """
        CREATE INDEX messages_identity ON messages(sha256, file_id, source_index);
        DROP INDEX messages_sha256;
        CREATE INDEX messages_removed ON messages(sha256, file_id) WHERE removed_scan_id IS NOT NULL;
        """

    /// The country and AS of a linked host when it is an IP address (the only linked hosts placed without a DNS
    /// lookup, which mailatlas never makes), for the report's "sent from here, hosted there" table. Rows stored
    /// before `v4` have them null until `mailatlas geo refresh`. The partial index serves the report: the IP links of
    /// a period's messages without reading the `links` table.
    static let v4 = """
        ALTER TABLE links ADD COLUMN host_country TEXT;
        ALTER TABLE links ADD COLUMN host_asn INTEGER;
        CREATE INDEX links_ip_host ON links(message_id, is_ip, host_country, host_asn, host) WHERE is_ip = 1;
        """

    /// Why a file is not stored as mail (`files.skip_reason`, the words of `SkipReason`), so that every file of the
    /// spool is accounted for, with the partial index that lists and counts them under a root without reading the
    /// rows of mail files. Files recorded as not mail before `v5` carry no reason: they are marked unread
    /// (`scanned_offset = -1`, and the Maildir directories holding them forgotten) so the next scan reads them
    /// again and records why. Empty files need no second look.
    static let v5 = """
        ALTER TABLE files ADD COLUMN skip_reason TEXT;
        UPDATE files SET skip_reason = 'empty' WHERE kind = 'empty';
        DELETE FROM dirs WHERE path IN (SELECT dir_path FROM files WHERE kind = 'not-mail');
        UPDATE files SET scanned_offset = -1 WHERE kind = 'not-mail';
        CREATE INDEX files_skipped ON files(path, skip_reason, removed_scan_id) WHERE skip_reason IS NOT NULL;
        """

    /// What each scan decided origins with, so that `trace --db` decides a stored message again exactly as the scan
    /// did: the origin settings (`scans.origin_config`, in the `--origin-config` file format) and the relays the
    /// scan learned from the spool (`scan_relays`). Scans from before `v6` have neither.
    static let v6 = """
        ALTER TABLE scans ADD COLUMN origin_config TEXT;
        CREATE TABLE scan_relays (
            scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
            site TEXT NOT NULL,
            network TEXT NOT NULL,
            messages INTEGER NOT NULL,
            forwarded INTEGER NOT NULL,
            sources INTEGER NOT NULL,
            PRIMARY KEY (scan_id, site, network)
        ) WITHOUT ROWID;
        """

    /// When each message crossed into the receiving side (`Arrival`): reports count months by it. Stored rows get it
    /// from their stored hops, the same rule `Arrival.of` applies to a new message: the time of the hop that
    /// recorded the origin, else of the topmost hop the receiving side wrote (the hops above the first untrusted
    /// one, and that one), else the Date header. `messages_arrival` serves the report's period scans by arrival as
    /// `messages_report` does by Date.
    static let v7 = """
        ALTER TABLE messages ADD COLUMN received_utc TEXT;
        ALTER TABLE messages ADD COLUMN received_source TEXT;
        \(arrivalBackfill)
        CREATE INDEX messages_arrival ON messages(received_utc, verdict, folder, origin_country, origin_asn, origin_ip,
            origin_as_org, origin_rule, truncated, removed_scan_id, date_utc, received_source);
        """

    /// What the receiving side's own checks said (`AuthenticationFacts`): SPF, the DKIM outcome in one word and
    /// DMARC with its published policy on `messages`, every DKIM signature's result and signing domain in
    /// `auth_dkim`. Only `Authentication-Results` fields the receiving side wrote count (docs/origin.md). Rows stored
    /// before `v8` have them null: the fields were not read then. The report's covering indexes are made again with
    /// the three results at their end, so the report's authentication table reads index ranges as every other table
    /// does.
    static let v8 = """
        ALTER TABLE messages ADD COLUMN auth_serv_id TEXT;
        ALTER TABLE messages ADD COLUMN auth_spf TEXT;
        ALTER TABLE messages ADD COLUMN auth_spf_domain TEXT;
        ALTER TABLE messages ADD COLUMN auth_dkim TEXT;
        ALTER TABLE messages ADD COLUMN auth_dmarc TEXT;
        ALTER TABLE messages ADD COLUMN auth_dmarc_policy TEXT;
        ALTER TABLE messages ADD COLUMN auth_dmarc_domain TEXT;
        CREATE TABLE auth_dkim (
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            result TEXT NOT NULL,
            domain TEXT,
            selector TEXT,
            PRIMARY KEY (message_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX auth_dkim_domain ON auth_dkim(domain, result);
        DROP INDEX messages_report;
        CREATE INDEX messages_report ON messages(date_utc, verdict, folder, origin_country, origin_asn, origin_ip,
            origin_as_org, origin_rule, truncated, removed_scan_id, auth_spf, auth_dkim, auth_dmarc);
        DROP INDEX messages_arrival;
        CREATE INDEX messages_arrival ON messages(received_utc, verdict, folder, origin_country, origin_asn, origin_ip,
            origin_as_org, origin_rule, truncated, removed_scan_id, date_utc, received_source, auth_spf, auth_dkim,
            auth_dmarc);
        """

    /// What linked hosts resolved to (`mailatlas enrich --dns`): the latest answer per name with its time, status
    /// and CNAME chain, and every address with its country and AS, so a report can place the sites a message links
    /// to and say when they were looked up. Names are the hosts and registrable domains of `links` (lower-case, no
    /// trailing dot); an answer replaces the previous one for its name. `dnsbl_results` keeps the latest check of
    /// each origin IP against each blocklist zone (`enrich --dnsbl`).
    static let v9 = """
        CREATE TABLE dns_hosts (
            host TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            resolved_at TEXT NOT NULL,
            cnames TEXT,
            addresses INTEGER NOT NULL DEFAULT 0,
            resolver TEXT
        ) WITHOUT ROWID;
        CREATE TABLE dns_addresses (
            host TEXT NOT NULL REFERENCES dns_hosts(host) ON DELETE CASCADE,
            address TEXT NOT NULL,
            country TEXT,
            asn INTEGER,
            as_org TEXT,
            PRIMARY KEY (host, address)
        ) WITHOUT ROWID;
        CREATE INDEX links_host ON links(host);
        CREATE TABLE dnsbl_results (
            ip TEXT NOT NULL,
            zone TEXT NOT NULL,
            status TEXT NOT NULL,
            codes TEXT,
            meaning TEXT,
            checked_at TEXT NOT NULL,
            PRIMARY KEY (ip, zone)
        ) WITHOUT ROWID;
        """

    /// `received_utc` and `received_source` of the rows that have none, from their stored hops (`Arrival.of`).
    static let arrivalBackfill = """
        UPDATE messages SET received_source = 'origin-hop', received_utc = (
            SELECT h.timestamp_utc FROM received_hops h WHERE h.message_id = messages.id AND h.position = messages.origin_hop)
        WHERE received_utc IS NULL AND origin_hop IS NOT NULL AND EXISTS (
            SELECT 1 FROM received_hops h WHERE h.message_id = messages.id AND h.position = messages.origin_hop
                AND h.timestamp_utc IS NOT NULL);
        UPDATE messages SET received_source = 'receiving-hop', received_utc = (
            SELECT h.timestamp_utc FROM received_hops h
            WHERE h.message_id = messages.id AND h.timestamp_utc IS NOT NULL AND h.position <= coalesce(
                (SELECT min(u.position) FROM received_hops u WHERE u.message_id = messages.id AND u.trusted = 0),
                2147483647)
            ORDER BY h.position LIMIT 1)
        WHERE received_utc IS NULL;
        UPDATE messages SET received_source = NULL WHERE received_utc IS NULL;
        UPDATE messages SET received_source = 'date', received_utc = date_utc
        WHERE received_utc IS NULL AND date_utc IS NOT NULL;
        """
}

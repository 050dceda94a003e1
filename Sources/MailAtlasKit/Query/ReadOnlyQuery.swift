import Foundation
public import GRDB

/// Runs users' SQL against the store, strictly read-only: the connection is opened read-only with `query_only`
/// and no attached databases, and every statement is checked before any runs — writes, `ATTACH`/`DETACH`,
/// extension loading and state-changing PRAGMAs are refused with a clear error. The file is never modified.
public enum ReadOnlyQuery {
    public struct Result: Sendable {
        public var columns: [String]
        public var rows: [[DatabaseValue]]
    }

    /// PRAGMAs that only read (and only without an `=` argument).
    static let readPragmas: Set<String> = [
        "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list", "database_list",
        "compile_options", "user_version", "schema_version", "page_count", "page_size", "journal_mode",
        "integrity_check", "quick_check", "collation_list", "function_list", "pragma_list", "module_list",
        "table_list", "freelist_count", "encoding", "application_id", "data_version", "foreign_key_check",
    ]

    /// Executes `sql` (one or more statements) and returns the rows of the last statement that produces any.
    public static func run(_ sql: String, on queue: DatabaseQueue, maxRows: Int = .max) throws -> Result {
        try queue.read { db in
            var statements: [Statement] = []
            let cursor = try db.allStatements(sql: sql)
            while let statement = try cursor.next() {
                try check(statement)
                statements.append(statement)
            }
            guard !statements.isEmpty else { throw StoreError.readOnlyViolation("no SQL statement given") }
            var result = Result(columns: [], rows: [])
            for statement in statements {
                let columns = statement.columnNames
                var rows: [[DatabaseValue]] = []
                let rowCursor = try Row.fetchCursor(statement)
                while let row = try rowCursor.next(), rows.count < maxRows {
                    rows.append(Array(row.databaseValues))
                }
                if !columns.isEmpty { result = Result(columns: columns, rows: rows) }
            }
            return result
        }
    }

    /// Read-only PRAGMAs whose argument names what to read (`table_info(messages)`); any other PRAGMA given an
    /// argument sets something (`user_version(5)` is `user_version = 5`).
    static let readPragmasWithArgument: Set<String> = [
        "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
        "foreign_key_check", "integrity_check", "quick_check",
    ]

    static func check(_ statement: Statement) throws {
        let text = statement.sql.trimmingLeadingSQLNoise()
        let keyword = text.prefix { $0.isLetter }.lowercased()
        switch keyword {
        case "attach", "detach":
            throw StoreError.readOnlyViolation("\(keyword.uppercased()) is not allowed")
        case "begin", "commit", "end", "rollback", "savepoint", "release":
            throw StoreError.readOnlyViolation("\(keyword.uppercased()): transactions are not needed to read")
        case "pragma":
            let body = text.dropFirst(6).drop { $0.isWhitespace }
            let name = body.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }.lowercased()
            let bare = name.split(separator: ".").last.map(String.init) ?? name
            let argument = body.dropFirst(name.count).drop { $0.isWhitespace }
            let hasArgument = argument.first == "(" || argument.first == "="
            if body.contains("=") || !readPragmas.contains(bare)
                || (hasArgument && !readPragmasWithArgument.contains(bare))
            {
                throw StoreError.readOnlyViolation("PRAGMA \(bare) can change the database or the connection")
            }
        default:
            if !statement.isReadonly {
                throw StoreError.readOnlyViolation("only queries that read are allowed, not \(keyword.uppercased())")
            }
        }
        if text.lowercased().contains("load_extension") {
            throw StoreError.readOnlyViolation("load_extension is not allowed")
        }
    }
}

extension String {
    /// Drops leading whitespace and SQL comments.
    func trimmingLeadingSQLNoise() -> Substring {
        var s = self[...]
        while true {
            s = s.drop { $0.isWhitespace }
            if s.hasPrefix("--") {
                s = s.drop { $0 != "\n" }
            } else if s.hasPrefix("/*") {
                if let end = s.range(of: "*/") { s = s[end.upperBound...] } else { return "" }
            } else {
                return s
            }
        }
    }
}

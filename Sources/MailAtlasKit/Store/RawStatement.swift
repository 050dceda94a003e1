import GRDB
import GRDBSQLite

/// A value bound straight to a SQLite statement, without GRDB's `StatementArguments` (one array of boxed values per
/// row is measurable at thousands of rows per second).
protocol RawBindable {
    func bind(to statement: OpaquePointer, at index: Int32)
}

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension String: RawBindable {
    func bind(to statement: OpaquePointer, at index: Int32) {
        var copy = self
        copy.withUTF8 { buffer in
            _ = sqlite3_bind_text(statement, index, buffer.baseAddress, Int32(buffer.count), transient)
        }
    }
}

extension Int: RawBindable {
    func bind(to statement: OpaquePointer, at index: Int32) { sqlite3_bind_int64(statement, index, Int64(self)) }
}

extension Int64: RawBindable {
    func bind(to statement: OpaquePointer, at index: Int32) { sqlite3_bind_int64(statement, index, self) }
}

extension Bool: RawBindable {
    func bind(to statement: OpaquePointer, at index: Int32) { sqlite3_bind_int64(statement, index, self ? 1 : 0) }
}

extension Optional: RawBindable where Wrapped: RawBindable {
    func bind(to statement: OpaquePointer, at index: Int32) {
        switch self {
        case .some(let value): value.bind(to: statement, at: index)
        case .none: sqlite3_bind_null(statement, index)
        }
    }
}

extension Database {
    /// Runs a cached statement that returns no rows with its parameters bound in order.
    func run<each V: RawBindable>(_ sql: String, _ values: repeat each V) throws {
        let s = try cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(s)
        var index: Int32 = 0
        repeat (each values).bind(
            to: s,
            at: {
                index += 1; return index
            }())
        let rc = sqlite3_step(s)
        sqlite3_reset(s)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqliteConnection)),
                sql: sql)
        }
    }
}

extension Database {
    /// Runs a cached query with its parameters bound in order and hands each row's raw statement to `body`.
    func forEachRow<each V: RawBindable>(
        _ sql: String, _ values: repeat each V, body: (OpaquePointer) throws -> Void
    ) throws {
        let s = try cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(s)
        defer { sqlite3_reset(s) }
        var index: Int32 = 0
        repeat (each values).bind(
            to: s,
            at: {
                index += 1; return index
            }())
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqliteConnection)),
                    sql: sql)
            }
            try body(s)
        }
    }
}

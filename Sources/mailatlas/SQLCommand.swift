public import ArgumentParser
public import MailAtlasKit

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run read-only SQL on the store (see docs/schema.md for the tables).",
        discussion: """
            The store is opened read-only: INSERT, UPDATE, DELETE, DDL, ATTACH, load_extension and PRAGMAs that
            change state are refused, and the file is left byte-identical. It works while a scan is running.
            """.reflowed)

    @Argument(help: "SQL: one or more statements; the rows of the last query are printed.")
    var query: String

    @OptionGroup var store: StoreOption

    @Option(help: "table (aligned, the default), csv, tsv or json.")
    var format: TableOutput.Format = .table

    @Flag(help: "Do not shorten long values in table output.")
    var wide = false

    func run() throws {
        let queue = try MailStore.openReadOnly(path: store.path)
        let result: ReadOnlyQuery.Result
        do {
            result = try ReadOnlyQuery.run(query, on: queue)
        } catch let error as StoreError {
            // A refusal: said once, without the usage text, with the status of a usage error (64).
            Terminal.writeError("mailatlas: error: \(error.description)\n")
            throw ExitCode(64)
        } catch {
            // The query could not run (a syntax error, an unknown column): a mistake in the command line too.
            Terminal.writeError(
                "mailatlas: error: \(Escape.terminal("\(error)"))\n  The tables and columns: docs/schema.md.\n")
            throw ExitCode(64)
        }
        let width = wide || !Terminal.stdoutIsTTY ? nil : max(20, Terminal.width / max(1, result.columns.count))
        Terminal.write(TableOutput.render(result, format: format, maxCellWidth: width))
    }
}

extension TableOutput.Format: ExpressibleByArgument {}

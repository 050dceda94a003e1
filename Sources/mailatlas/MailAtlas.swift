import ArgumentParser

@main
struct MailAtlas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailatlas",
        abstract: "Find where a mail spool's spam came from, what it links to and what it carries.",
        subcommands: []
    )
}

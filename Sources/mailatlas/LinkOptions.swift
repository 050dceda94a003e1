import ArgumentParser
import MailAtlasKit
import MailCore

/// The options of link extraction, shared by `scan` and `trace`.
struct LinkOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A newer Public Suffix List to use instead of the embedded copy (publicsuffix.org format, e.g. "
                + "/usr/share/publicsuffix/public_suffix_list.dat).", valueName: "file"))
    var publicSuffixList: String? = nil

    @Flag(help: "Recover defanged links (hxxp://, example[.]com) and store them flagged as defanged.")
    var recoverDefanged = false

    func extractorOptions() throws -> LinkExtractorOptions {
        var options = LinkExtractorOptions(recoverDefanged: recoverDefanged)
        if let path = publicSuffixList {
            do {
                options.publicSuffixList = try PublicSuffixList.load(path: path)
            } catch {
                throw ValidationError("--public-suffix-list: \(error)")
            }
        }
        return options
    }
}

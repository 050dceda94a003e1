public import ArgumentParser
import Foundation
public import MailAtlasKit

/// `mailatlas relays`: what the scan decided the receiving side is, and the origin IPs that look like a relay of the
/// site that was missed (suspects), with the `--internal-networks` line that would settle them.
struct RelaysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relays",
        abstract: "Show the receiving side the scan decided on: the site's relays and suspect origin IPs.",
        discussion: """
            Relays are the public hosts the origin walk trusted (the hops above each message's origin): the
            messages each handed on, the distinct networks (/16) of the hosts that handed them to it, the names it
            gave or was given, and the host it handed to. A suspect is an origin IP that holds at least 5% of the
            messages with an origin (and at least 10 of them) and whose messages came to it from at least 5
            networks: that is what the site's own relay looks like when it was missed. See docs/origin.md.
            """.reflowed)

    @OptionGroup var store: StoreOption

    @Option(help: "Relays to list, most messages first.")
    var top = 30

    func run() throws {
        let queue = try MailStore.openReadOnly(path: store.path)
        let side = try ReceivingSide.read(queue, limit: max(1, top))
        Terminal.write(RelaysText.render(side))
    }
}

/// The text `relays` prints; every name in it was written by a sender and is escaped for the terminal.
enum RelaysText {
    static func render(_ side: ReceivingSide) -> String {
        var out = "messages: \(Format.count(side.messages)), with an origin: \(Format.count(side.messagesWithOrigin))\n"
        out += "\nReceiving side: public relays trusted by the origin walk\n"
        if side.relays.isEmpty {
            out += "  none (every message was handed over at the site's edge, or by private hosts)\n"
        } else {
            out += "  messages  networks  relay            names / handed to / rules\n"
            for r in side.relays {
                out +=
                    "  \(pad(Format.count(r.messages), 8))  \(pad(String(r.upstreamNetworks), 8))  \(r.ip.padding(toLength: max(15, r.ip.count), withPad: " ", startingAt: 0))  "
                    + Escape.terminal(r.names.joined(separator: ", ")) + "\n"
                out +=
                    "                             -> " + Escape.terminal(r.handedTo.joined(separator: ", "))
                    + "  (" + r.rules.joined(separator: ", ") + ")\n"
            }
        }
        out += "\nSuspects: origin IPs that look like a relay of the site\n"
        if side.suspects.isEmpty {
            out += "  none\n"
        } else {
            for s in side.suspects {
                out +=
                    "  \(s.ip): origin of \(Format.count(s.messages)) messages (\(String(format: "%.1f", s.share * 100))%), received from \(s.upstreamNetworks) networks; names "
                    + Escape.terminal(s.names.joined(separator: ", ")) + "\n"
            }
            if let line = side.suggestedInternalNetworks {
                out += "  If these are your relays, scan again with: --internal-networks \(line)\n"
            }
        }
        return out
    }

    static func pad(_ s: String, _ n: Int) -> String {
        String(repeating: " ", count: max(0, n - s.count)) + s
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real authoritative DNS server (Debian's `nsd`) on 127.0.0.1, started by the test that needs it, serving the
/// zones the test writes. Absent `nsd`, `start` returns nil (the test skips) unless `CI=true`, where it fails.
public final class DNSTestServer: @unchecked Sendable {
    public let port: UInt16
    public var address: String { "127.0.0.1:\(port)" }
    let dir: TempDirectory
    let process: Process

    public static var nsdPath: String? {
        ["/usr/sbin/nsd", "/usr/bin/nsd"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `zones`: zone name → zone file text (`$ORIGIN` and SOA included by the caller).
    public static func start(zones: [String: String]) throws -> DNSTestServer? {
        guard let nsd = nsdPath else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                throw TestServerError("nsd is not installed (apt-get install nsd): the DNS tests need it under CI")
            }
            return nil
        }
        let dir = TempDirectory("nsd")
        var lastError = ""
        for _ in 0..<5 {
            let port = UInt16.random(in: 20_000...60_000)
            var conf = """
                server:
                    ip-address: 127.0.0.1
                    port: \(port)
                    username: ""
                    zonesdir: "\(dir.path)"
                    pidfile: "\(dir.path)/nsd.pid"
                    xfrdfile: "\(dir.path)/xfrd.state"
                    zonelistfile: "\(dir.path)/zone.list"
                    logfile: "\(dir.path)/nsd.log"
                    database: ""
                    server-count: 1
                    rrl-ratelimit: 0
                    verbosity: 1
                remote-control:
                    control-enable: no

                """
            for (name, text) in zones {
                dir.write("\(name).zone", text)
                conf += "zone:\n    name: \"\(name)\"\n    zonefile: \"\(name).zone\"\n"
            }
            dir.write("nsd.conf", conf)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: nsd)
            p.arguments = ["-d", "-c", dir.path + "/nsd.conf"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let server = DNSTestServer(port: port, dir: dir, process: p)
            // Ready when the log says so (zones read); a port in use ends the process.
            for _ in 0..<100 {
                let log = (try? String(contentsOfFile: dir.path + "/nsd.log", encoding: .utf8)) ?? ""
                if log.contains("nsd started") { return server }
                if !p.isRunning { break }
                usleep(50_000)
            }
            lastError = (try? String(contentsOfFile: dir.path + "/nsd.log", encoding: .utf8)) ?? "no log"
            server.stop()
        }
        throw TestServerError("nsd did not start: \(lastError)")
    }

    init(port: UInt16, dir: TempDirectory, process: Process) {
        self.port = port
        self.dir = dir
        self.process = process
    }

    /// Ends nsd and its server processes. SIGKILL, not SIGTERM: a child of the test process inherits the test
    /// runtime's blocked signals, and nsd would never see a SIGTERM.
    public func stop() {
        guard process.isRunning else { return }
        let main = process.processIdentifier
        for child in Self.children(of: main) { kill(child, SIGKILL) }
        kill(main, SIGKILL)
        process.waitUntilExit()
    }

    /// The processes whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> Int32? in
            guard let p = Int32(name),
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? p : nil
        }
    }

    deinit { stop() }
}

public struct TestServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// A DNS responder that misbehaves on demand, for what a real server will not do: answer every query with a
/// given RCODE (SERVFAIL, REFUSED), never answer, or answer over UDP truncated (TC) and properly over TCP with one
/// A record. Listens on 127.0.0.1 (UDP and TCP on the same port) on a thread of its own.
public final class MisbehavingDNSResponder: @unchecked Sendable {
    public enum Mode: Sendable {
        case rcode(UInt8)
        case silent
        /// UDP: an empty answer with TC set; TCP: `address` for any A question.
        case truncated(address: [UInt8])
    }

    public let port: UInt16
    public var address: String { "127.0.0.1:\(port)" }
    let udp: Int32
    let tcp: Int32
    let mode: Mode
    private let lock = NSLock()
    private var stopped = false
    private var received = 0
    /// Queries received so far (UDP and TCP).
    public var queries: Int { lock.withLock { received } }

    public init(mode: Mode) throws {
        self.mode = mode
        udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var chosen: UInt16 = 0
        for _ in 0..<20 {
            let p = UInt16.random(in: 20_000...60_000)
            if Self.bind(udp, p) && Self.bind(tcp, p) {
                chosen = p
                break
            }
        }
        guard chosen != 0, listen(tcp, 16) == 0 else { throw TestServerError("responder: no free port") }
        port = chosen
        let t = Thread { [self] in self.serve() }
        t.start()
    }

    static func bind(_ fd: Int32, _ port: UInt16) -> Bool {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    public func stop() {
        lock.withLock { stopped = true }
    }

    deinit {
        stop()
        close(udp)
        close(tcp)
    }

    func serve() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !lock.withLock({ stopped }) {
            var fds = [
                pollfd(fd: udp, events: Int16(POLLIN), revents: 0), pollfd(fd: tcp, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&fds, 2, 100) > 0 else { continue }
            if fds[0].revents & Int16(POLLIN) != 0 {
                var from = sockaddr_storage()
                var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let n = withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(udp, &buffer, buffer.count, 0, $0, &len)
                    }
                }
                if n >= 12 {
                    lock.withLock { received += 1 }
                    if let reply = reply(Array(buffer[0..<n]), overTCP: false) {
                        _ = withUnsafePointer(to: &from) {
                            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                                sendto(udp, reply, reply.count, 0, $0, len)
                            }
                        }
                    }
                }
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                let c = accept(tcp, nil, nil)
                if c >= 0 {
                    var head = [UInt8](repeating: 0, count: 2)
                    if recv(c, &head, 2, Int32(MSG_WAITALL)) == 2 {
                        let length = Int(head[0]) << 8 | Int(head[1])
                        var q = [UInt8](repeating: 0, count: length)
                        if length >= 12, recv(c, &q, length, Int32(MSG_WAITALL)) == length {
                            lock.withLock { received += 1 }
                            if let r = reply(q, overTCP: true) {
                                let framed = [UInt8(r.count >> 8), UInt8(r.count & 0xFF)] + r
                                _ = send(c, framed, framed.count, 0)
                            }
                        }
                    }
                    close(c)
                }
            }
        }
    }

    /// The reply to a query: its ID and question echoed, QR set, and what the mode says.
    func reply(_ q: [UInt8], overTCP: Bool) -> [UInt8]? {
        // The question ends after its name (labels) and QTYPE/QCLASS.
        var i = 12
        while i < q.count, q[i] != 0 { i += Int(q[i]) + 1 }
        guard i + 5 <= q.count else { return nil }
        let question = Array(q[12..<(i + 5)])
        let qtype = UInt16(q[i + 1]) << 8 | UInt16(q[i + 2])
        var r = [q[0], q[1], 0x84, 0x00, 0, 1, 0, 0, 0, 0, 0, 0] + question
        switch mode {
        case .silent:
            return nil
        case .rcode(let code):
            r[3] = code & 0x0F
            return r
        case .truncated(let address):
            if !overTCP {
                r[2] |= 0x02
                return r
            }
            guard qtype == 1, address.count == 4 else { return r }
            r[7] = 1
            r += [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4] + address
            return r
        }
    }
}

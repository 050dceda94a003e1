import Foundation
import Glibc

/// A child process run the hard way (`posix_spawn` under GNU `time`), so a test learns what `Process` hides: the
/// peak resident memory and the CPU time of the child, whether a signal ended it, and whether it outlived its
/// deadline.
struct Child {
    struct Result: CustomStringConvertible {
        var status: Int32
        /// The signal that ended the child, when one did (a crash: SIGSEGV, SIGILL from a Swift trap, SIGABRT…).
        var signal: Int32?
        var timedOut: Bool
        var stdout: String
        var stderr: String
        var wallSeconds: Double
        /// User + system CPU time of the child (all its threads).
        var cpuSeconds: Double
        /// Peak resident set size of the child, in bytes.
        var maxRSS: Int

        var description: String {
            let how = timedOut ? "timed out" : signal.map { "killed by signal \($0)" } ?? "exit \(status)"
            return "\(how); cpu \(String(format: "%.2f", cpuSeconds))s wall \(String(format: "%.2f", wallSeconds))s "
                + "rss \(maxRSS >> 20) MiB; stderr: \(stderr.prefix(2000))"
        }

        /// Ended by itself, without a signal, within its deadline.
        var finishedCleanly: Bool { !timedOut && signal == nil }
    }

    /// Runs `argv` (argv[0] a path) and waits up to `timeout` seconds, then kills it (and its process group) with
    /// SIGKILL. `environment` entries are added to this process's environment.
    ///
    /// The child runs under GNU `time`, which forks it from its own small process: the kernel carries the peak RSS
    /// of a process across `exec`, so a child spawned straight from the test runner would report the runner's
    /// memory as its own.
    static func run(_ argv: [String], environment: [String: String] = [:], timeout: Double = 120) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = scratch.appendingPathComponent("out").path
        let errPath = scratch.appendingPathComponent("err").path
        let timePath = scratch.appendingPathComponent("time").path
        guard let timeTool = which("time") ?? (access("/usr/bin/time", X_OK) == 0 ? "/usr/bin/time" : nil) else {
            throw POSIXError(.ENOENT)
        }
        let wrapped = [timeTool, "-f", "%M %U %S", "-o", timePath] + argv

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a timeout kills the scanner too, not only `time`.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "MAILATLAS_DB")
        for (k, v) in environment { env[k] = v }
        let envStrings = env.map { "\($0.key)=\($0.value)" }

        var pid: pid_t = 0
        let start = ContinuousClock.now
        let rc = withCStrings(wrapped) { cArgs in
            withCStrings(envStrings) { cEnv in
                posix_spawn(&pid, wrapped[0], &actions, &attributes, cArgs, cEnv)
            }
        }
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }

        var status: Int32 = 0
        var timedOut = false
        let deadline = start + .milliseconds(Int(timeout * 1000))
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
            if ContinuousClock.now > deadline && !timedOut {
                timedOut = true
                kill(-pid, SIGKILL)
            }
            usleep(5_000)
        }
        let wall = ContinuousClock.now - start
        // `time` exits with the child's status; it writes "Command terminated by signal N" when a signal ended it.
        let report = (try? String(contentsOfFile: timePath, encoding: .utf8)) ?? ""
        var signal: Int32? = nil
        var rss = 0
        var cpu = 0.0
        for line in report.split(separator: "\n") {
            if line.hasPrefix("Command terminated by signal "), let n = Int32(line.split(separator: " ").last ?? "") {
                signal = n
            }
            let fields = line.split(separator: " ")
            if fields.count == 3, let kb = Int(fields[0]), let user = Double(fields[1]), let sys = Double(fields[2]) {
                rss = kb * 1024
                cpu = user + sys
            }
        }
        let exited = (status & 0x7F) == 0
        return Result(
            status: exited ? (status >> 8) & 0xFF : -1, signal: timedOut ? nil : signal, timedOut: timedOut,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18,
            cpuSeconds: cpu, maxRSS: rss)
    }

    /// The path of a program on `PATH`, or nil.
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if access(path, X_OK) == 0 { return path }
        }
        for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] where access("\(dir)/\(name)", X_OK) == 0 {
            return "\(dir)/\(name)"
        }
        return nil
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

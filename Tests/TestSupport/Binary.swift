public import Foundation

/// Runs the built `mailatlas` binary, as a user would.
public enum Binary {
    /// The `mailatlas` executable next to the test bundle (both are built into the same products directory).
    public static var url: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        // xctest bundles on Linux are executables in the products directory; walk up if inside a bundle.
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("mailatlas").path),
            dir.path != "/"
        {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("mailatlas")
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `mailatlas args…` in `directory`, with `stdin` fed, and waits.
    public static func run(
        _ args: [String], in directory: String? = nil, stdin: Data? = nil, environment: [String: String] = [:]
    ) throws -> Result {
        let p = try start(args, in: directory, environment: environment)
        if let stdin {
            p.stdinPipe.fileHandleForWriting.write(stdin)
        }
        try? p.stdinPipe.fileHandleForWriting.close()
        let out = p.stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        let err = p.stderrPipe.fileHandleForReading.readDataToEndOfFile()
        p.process.waitUntilExit()
        return Result(
            status: p.process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }

    public struct Running {
        public let process: Process
        public let stdinPipe = Pipe()
        public let stdoutPipe = Pipe()
        public let stderrPipe = Pipe()
    }

    /// Starts `mailatlas args…` without waiting (for signal and kill tests).
    public static func start(_ args: [String], in directory: String? = nil, environment: [String: String] = [:])
        throws -> Running
    {
        let p = Process()
        p.executableURL = url
        p.arguments = args
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "MAILATLAS_DB")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let running = Running(process: p)
        p.standardInput = running.stdinPipe
        p.standardOutput = running.stdoutPipe
        p.standardError = running.stderrPipe
        try p.run()
        return running
    }
}

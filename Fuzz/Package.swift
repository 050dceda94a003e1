// swift-tools-version: 6.1
// libFuzzer executables over the main package's readers. Built only by scripts/fuzz.sh (release, with
// `--sanitize fuzzer -Xswiftc -sanitize=fuzzer,address`), never by the main package's `swift build`.
import PackageDescription

let targets = ["header", "received", "mbox", "mime", "decoders", "message", "gzip", "urls", "zip", "decompress"]

let package = Package(
    name: "mailatlas-fuzz",
    dependencies: [.package(name: "mailatlas", path: "..")],
    targets: targets.map { name in
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: [.product(name: "FuzzHarness", package: "mailatlas")],
            path: "Sources/fuzz-\(name)",
            // No `main`: libFuzzer's is linked in.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)

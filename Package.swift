// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "mailatlas",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mailatlas", targets: ["mailatlas"]),
        .library(name: "MailCore", targets: ["MailCore"]),
        .library(name: "MailAtlasKit", targets: ["MailAtlasKit"]),
        // For the libFuzzer executables of the separate package in Fuzz/ (scripts/fuzz.sh), not for users.
        .library(name: "FuzzHarness", targets: ["FuzzHarness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // zlib from the system (Debian zlib1g-dev): gzip spools and ZIP member sniffing.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // bzip2, xz, zstd and LZ4 from the system (Debian libbz2-dev, liblzma-dev, libzstd-dev, liblz4-dev): Maildir
        // files compressed by Dovecot's compression plugin, and spool files compressed with those tools.
        .systemLibrary(
            name: "CCompression",
            providers: [.apt(["libbz2-dev", "liblzma-dev", "libzstd-dev", "liblz4-dev"])]
        ),
        // c-ares from the system (Debian libc-ares-dev): `mailatlas enrich --dns`, many DNS lookups in flight.
        .systemLibrary(
            name: "CAres",
            providers: [.apt(["libc-ares-dev"])]
        ),
        // The built-in IP database, embedded with C23 #embed (see docs/geo.md and scripts/build-geo-db.sh).
        .target(
            name: "CGeoData",
            exclude: ["ipdb.mageo", "LICENSE-ipdb.txt"]
        ),
        // Bytes in, values out: headers, MIME, decoders, Received hops, URLs. No files, no SQLite.
        .target(
            name: "MailCore",
            dependencies: [
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Spool walking, analysis, geo, store, reports, the parallel pipeline.
        .target(
            name: "MailAtlasKit",
            dependencies: [
                "MailCore",
                "CZlib",
                "CCompression",
                "CGeoData",
                "CAres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        // The command line: options, output, exit codes. Nothing else.
        .executableTarget(
            name: "mailatlas",
            dependencies: [
                "MailAtlasKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Parses every message under a directory and prints µs/message: `swift run -c release mailcore-bench DIR`.
        .executableTarget(
            name: "mailcore-bench",
            dependencies: ["MailCore"],
            path: "Benchmarks/MailCoreBench",
            swiftSettings: strict
        ),
        // MIME decoding, attachment analysis and link extraction, stage by stage, over a spool in memory:
        // `swift run -c release mailatlas-analysis-bench DIR` (prints µs/message per stage).
        .executableTarget(
            name: "mailatlas-analysis-bench",
            dependencies: [
                "MailAtlasKit", "MailCore", "AnalysisRecords", .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/AnalysisBench",
            swiftSettings: strict
        ),
        // Lookup and load times of the geo database: `Benchmarks/geo.sh` (prints numbers, asserts nothing).
        .executableTarget(
            name: "mailatlas-geo-bench",
            dependencies: ["MailAtlasKit", "MailCore"],
            path: "Benchmarks/GeoBench",
            swiftSettings: strict
        ),
        // Instruction counts of the origin analysis, the relay pre-pass and a whole scan under valgrind
        // (Benchmarks/origin-instructions). Not part of the tests.
        .executableTarget(
            name: "origin-bench",
            dependencies: ["MailAtlasKit", "MailCore"],
            path: "Benchmarks/OriginBench",
            swiftSettings: strict
        ),
        // Shared by the test targets: where the corpus and its labels are.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        // The text record of one message's analysis, shared by AnalysisDigestTests and mailatlas-analysis-bench.
        .target(
            name: "AnalysisRecords",
            dependencies: ["MailAtlasKit", "MailCore", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/AnalysisRecords",
            swiftSettings: strict
        ),
        // Stores with every table the report reads filled in, shared by the report's unit and end-to-end tests.
        .target(
            name: "ReportFixtures",
            dependencies: ["MailAtlasKit", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/ReportFixtures",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MailCoreTests",
            dependencies: ["MailCore", "CZlib", "TestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MailAtlasKitTests",
            dependencies: [
                "MailAtlasKit", "MailCore", "TestSupport", "ReportFixtures", "AnalysisRecords", "CCompression",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Analysis/Fixtures", "Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "mailatlas", "MailAtlasKit", "TestSupport", "ReportFixtures",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        // The fuzz targets' bodies, shared by Fuzz/ and the regression tests that replay what they found.
        .target(
            name: "FuzzHarness",
            dependencies: ["MailAtlasKit", "MailCore"],
            path: "Tests/FuzzHarness",
            swiftSettings: strict
        ),
        // Hostile input through the built binary: generated adversarial spools, faults, read-only SQL, no surprise
        // I/O. Its own target so CI can time it (under 5 minutes).
        .testTarget(
            name: "AdversarialTests",
            dependencies: [
                "mailatlas", "MailAtlasKit", "MailCore", "TestSupport", "FuzzHarness",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)

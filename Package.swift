// swift-tools-version:6.1
import PackageDescription

// Layers point one way: C shims → clients → core → runtime → CLI.
// RoostCore imports nothing of ours; each C library has exactly one wrapper module.
let package = Package(
    name: "roost",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "roost", targets: ["roost"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "RoostCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "RoostPostgres", dependencies: [
            "CPostgres", "RoostCore", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "RoostHTTP", dependencies: ["CCurl"]),
        // Our own C: CRC-32 by carry-less multiplication (x86-64 only, chosen at run time).
        .target(name: "CCRC32"),
        .target(name: "RoostGzip", dependencies: ["CZlib", "CCRC32"]),
        .target(name: "RoostKafka", dependencies: [
            "CKafka", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "RoostS3", dependencies: [
            "RoostHTTP", "RoostCore", "RoostGzip", "COpenSSL", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "RoostStore", dependencies: [
            "RoostCore", "RoostPostgres", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "RoostTwitter", dependencies: [
            "RoostCore", "RoostHTTP", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "RoostRuntime", dependencies: [
            "RoostCore", "RoostStore", "RoostKafka", "RoostTwitter", "RoostHTTP", "RoostS3", "RoostGzip",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .executableTarget(name: "roost", dependencies: [
            "RoostRuntime", "RoostCore", "RoostStore", "RoostKafka", "RoostTwitter", "RoostHTTP", "RoostS3",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // `make bench`: figures, not tests (scripts/bench.sh).
        .executableTarget(name: "roost-bench", dependencies: [
            "RoostRuntime", "RoostCore", "RoostStore", "RoostPostgres",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .target(name: "RoostTestSupport", dependencies: [
            "RoostPostgres", "RoostStore", "RoostCore", "RoostRuntime", "RoostKafka", "RoostS3", "RoostHTTP",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/RoostTestSupport"),
        .testTarget(name: "RoostCoreTests", dependencies: ["RoostCore"]),
        .testTarget(name: "RoostGzipTests", dependencies: ["RoostGzip"]),
        .testTarget(name: "RoostS3Tests", dependencies: ["RoostS3", "RoostHTTP", "RoostCore", "RoostTestSupport"]),
        .testTarget(name: "RoostHTTPTests", dependencies: ["RoostHTTP", "RoostCore", "RoostTestSupport"]),
        .testTarget(name: "RoostPostgresTests", dependencies: ["RoostPostgres", "RoostTestSupport"]),
        .testTarget(name: "RoostStoreTests", dependencies: ["RoostStore", "RoostTestSupport"]),
        .testTarget(name: "RoostCLITests", dependencies: ["RoostTestSupport", "RoostS3"]),
        .testTarget(name: "RoostKafkaTests", dependencies: ["RoostKafka", "RoostTestSupport"]),
        .testTarget(name: "RoostTwitterTests", dependencies: ["RoostTwitter", "RoostCore", "RoostHTTP", "RoostTestSupport"]),
        .testTarget(name: "RoostRuntimeTests", dependencies: [
            "RoostRuntime", "RoostStore", "RoostCore", "RoostPostgres", "RoostTestSupport", "RoostKafka", "RoostTwitter", "RoostHTTP",
            "RoostS3", "RoostGzip",
        ]),
    ],
    swiftLanguageModes: [.v6]
)

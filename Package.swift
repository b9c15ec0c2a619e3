// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ODASSim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "odas-sim", targets: ["odas-sim"]),
        .executable(name: "odas-bench", targets: ["odas-bench"]),
        .library(name: "SimCore", targets: ["SimCore"]),
        .library(name: "Scenarios", targets: ["Scenarios"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.1.0"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libxml2-dev). See docs/ARCHITECTURE.md.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),

        .target(
            name: "SimCore",
            dependencies: [.product(name: "Collections", package: "swift-collections")]
        ),
        .target(
            name: "AWSSim",
            dependencies: [
                "SimCore", "CSQLite", "CLibXML2",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "KubeSim", dependencies: ["SimCore"]),
        .target(name: "ODASModel", dependencies: ["SimCore", "AWSSim", "KubeSim"]),
        .target(
            name: "Scenarios",
            dependencies: [
                "SimCore", "AWSSim", "KubeSim", "ODASModel",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        .target(
            name: "SimServer",
            dependencies: [
                "Scenarios", "AWSSim", "SimCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "odas-sim",
            dependencies: [
                "Scenarios", "SimCore", "AWSSim", "SimServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "odas-bench", dependencies: ["SimCore", "Scenarios", "AWSSim"]),
        // The parsers hostile input reaches, for libFuzzer (scripts/fuzz) and the seeded pass in the tests.
        .target(name: "FuzzTargets", dependencies: ["SimCore", "AWSSim", "KubeSim", "ODASModel", "Scenarios"]),
        .executableTarget(name: "odas-fuzz", dependencies: ["FuzzTargets"]),
        .executableTarget(name: "kube-bench", dependencies: ["KubeSim", "SimCore"]),

        .testTarget(name: "SimCoreTests", dependencies: ["SimCore"]),
        .testTarget(
            name: "AWSSimTests",
            dependencies: ["AWSSim", "SimCore"]
        ),
        .testTarget(name: "KubeSimTests", dependencies: ["KubeSim", "SimCore"]),
        .testTarget(name: "ODASModelTests", dependencies: ["ODASModel", "AWSSim", "SimCore"]),
        .testTarget(name: "SimServerTests", dependencies: ["SimServer", "AWSSim", "SimCore"]),
        .testTarget(
            name: "ScenariosTests",
            dependencies: ["Scenarios", "SimCore", "AWSSim"],
            resources: [.copy("Fixtures")]
        ),
        // AWSSim only to compare `aws iam simulate-custom-policy` with the in-process evaluator.
        .testTarget(name: "OdasSimEndToEndTests", dependencies: ["AWSSim"], exclude: ["Clients"]),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rationd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rationd", targets: ["rationd"]),
        .library(name: "RationCore", targets: ["RationCore"]),
        .library(name: "TemplateMiner", targets: ["TemplateMiner"]),
        .library(name: "Triage", targets: ["Triage"]),
        .library(name: "Reasoning", targets: ["Reasoning"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "AlertStore", targets: ["AlertStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries from Debian: libsystemd-dev, libzstd-dev (pkg-config).
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),

        // Shared vocabulary: records, windows, verdicts, alerts, durable files, zstd frames.
        .target(name: "RationCore", dependencies: ["CZstd"]),

        // Pipeline stages and services.
        .target(name: "TemplateMiner", dependencies: ["RationCore", "CZstd"]),
        .target(name: "Triage", dependencies: ["RationCore"]),
        .target(name: "Reasoning", dependencies: ["RationCore"]),
        .target(name: "Ingest", dependencies: ["RationCore", "CSystemd"]),
        .target(name: "AlertStore", dependencies: ["RationCore", "CZstd"]),

        // Executables.
        .executableTarget(name: "rationd", dependencies: [
            "RationCore", "TemplateMiner", "Triage", "Reasoning", "Ingest", "AlertStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests: one target per module; fixtures under each target's Fixtures/.
        .testTarget(name: "RationCoreTests", dependencies: ["RationCore"]),
        .testTarget(name: "TemplateMinerTests", dependencies: ["TemplateMiner"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TriageTests", dependencies: ["Triage", "TemplateMiner"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ReasoningTests", dependencies: ["Reasoning"], exclude: ["Fixtures"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest"]),
        .testTarget(name: "AlertStoreTests", dependencies: ["AlertStore"]),
    ],
    swiftLanguageModes: [.v6]
)

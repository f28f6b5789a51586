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
        .library(name: "Configuration", targets: ["Configuration"]),
        .library(name: "Control", targets: ["Control"]),
        .executable(name: "rationctl", targets: ["rationctl"]),
        .executable(name: "rationlab", targets: ["rationlab"]),
        .library(name: "RationDaemon", targets: ["RationDaemon"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Calibration", targets: ["Calibration"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // System libraries from Debian: libsystemd-dev, libzstd-dev (pkg-config).
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        // SIGBUS guard for readers of mapped journal files (libsystemd < 255 has none).
        .target(name: "CSigbusGuard"),
        .target(name: "CMallocArena"),
        // libcurl loaded at run time for https:// LLM endpoints only (plain http needs no TLS stack).
        .target(name: "CCurl"),
        // The version `make` builds in (scripts/version --write-header), read by the executables only.
        .target(name: "CBuildInfo"),

        // Shared vocabulary: records, windows, verdicts, alerts, durable files, zstd frames.
        .target(name: "RationCore", dependencies: ["CZstd"]),

        // Pipeline stages and services.
        .target(name: "TemplateMiner", dependencies: ["RationCore", "CZstd"]),
        .target(name: "Triage", dependencies: ["RationCore"]),
        .target(name: "Reasoning", dependencies: ["RationCore", "CCurl"]),
        .target(name: "Ingest", dependencies: ["RationCore", "CSystemd", "CSigbusGuard"]),
        .target(name: "AlertStore", dependencies: ["RationCore", "CZstd"]),

        // Operator-facing shell: typed configuration from TOML, varlink control socket.
        .target(name: "Configuration", dependencies: [
            "RationCore", "TemplateMiner",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .target(name: "Control", dependencies: [
            "RationCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),

        // The daemon's wiring: services, signals, sd_notify, reload, control handler.
        .target(name: "RationDaemon", dependencies: [
            "RationCore", "Configuration", "Control", "CSystemd",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The daemon's job: sources -> miner -> sessionizer -> triage -> reasoning -> store.
        .target(name: "Pipeline", dependencies: [
            "RationCore", "TemplateMiner", "Triage", "Reasoning", "Ingest", "AlertStore",
            "Configuration", "Control", "RationDaemon",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Offline evaluation: labelled datasets replayed through triage, detection metrics,
        // synthetic alerts for store tests and benchmarks. Not part of the daemon.
        .target(name: "Evaluation", dependencies: ["RationCore", "Triage", "AlertStore"]),

        // Expert calibration: the RationAnomaly reward and fine-tuning exports from operator labels.
        .target(name: "Calibration", dependencies: ["RationCore", "Reasoning"]),

        // The alert filter options that rationctl and rationd alerts share.
        .target(name: "AlertFilterOptions", dependencies: [
            "Control", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Executables.
        .executableTarget(name: "rationd", dependencies: [
            "RationCore", "TemplateMiner", "Triage", "Reasoning", "Ingest", "AlertStore",
            "Configuration", "RationDaemon", "Pipeline", "Calibration", "AlertFilterOptions", "CBuildInfo", "Evaluation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The lab: offline mining, evaluations, reward, exports, distillation.
        .executableTarget(name: "rationlab", dependencies: [
            "RationCore", "TemplateMiner", "Triage", "Reasoning", "Ingest", "AlertStore", "Configuration", "Pipeline",
            "Calibration", "Evaluation", "CBuildInfo", "CMallocArena",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // Nothing calls into CMallocArena; its constructor is what counts, so keep it linked.
            .unsafeFlags(["-Xlinker", "--undefined=rationd_one_malloc_arena"]),
        ]),
        .executableTarget(name: "rationctl", dependencies: [
            "RationCore", "Control", "AlertFilterOptions", "CBuildInfo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests: one target per module; fixtures under each target's Fixtures/.
        .testTarget(name: "RationCoreTests", dependencies: ["RationCore"]),
        .testTarget(name: "TemplateMinerTests", dependencies: ["TemplateMiner"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TriageTests", dependencies: ["Triage", "TemplateMiner", "Evaluation"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ReasoningTests", dependencies: ["Reasoning"], exclude: ["Fixtures"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AlertStoreTests", dependencies: ["AlertStore", "Evaluation", "ProcessTestSupport"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "TemplateMiner"]),
        .testTarget(name: "ControlTests", dependencies: ["Control", "RationCore", "rationctl"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "RationCore", "Triage", "TemplateMiner", "Ingest", "Configuration", "Control",
                                                           "rationd", "rationctl", "ProcessTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CalibrationTests", dependencies: ["Calibration", "RationCore", "Reasoning", "AlertStore", "rationd", "rationlab",
                                                          "ProcessTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "RationDaemonTests", dependencies: ["RationDaemon", "Configuration", "Control", "rationd", "rationlab",
                                                               "ProcessTestSupport"]),
        // Child processes of the built executables, shared by the suites that drive them.
        .target(name: "ProcessTestSupport", path: "Tests/ProcessTestSupport"),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets under Fuzz/, one executable per input format. Only scripts/fuzz builds
// them (RATIOND_FUZZ=1, -sanitize=fuzzer,address, its own scratch path); they link only
// with libFuzzer, so the normal build, the tests and CI never see them.
if Context.environment["RATIOND_FUZZ"] == "1" {
    package.targets.append(.target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"))
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("varlink", ["Control", .product(name: "NIOEmbedded", package: "swift-nio"),
                     .product(name: "NIOCore", package: "swift-nio")]),
        ("config", ["Configuration"]),
        ("journal", ["Ingest", "RationCore"]),
        ("alerts", ["AlertStore", "RationCore", "Evaluation"]),
        ("miner", ["TemplateMiner"]),
        ("reply", ["Reasoning", "RationCore"]),
    ]
    for target in fuzzTargets {
        let module = "Fuzz" + target.name.prefix(1).uppercased() + target.name.dropFirst()
        package.products.append(.executable(name: "fuzz-" + target.name, targets: [module]))
        package.targets.append(.executableTarget(name: module, dependencies: target.dependencies + ["CLibFuzzer"],
                                                 path: "Fuzz/" + module))
    }
}

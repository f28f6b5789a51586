// swift-tools-version:6.0
// Benchmark drivers, kept out of the main package so normal builds stay light.
// Build: swift build -c release --package-path Benchmarks ; the scripts in ../scripts run them
// against the reference tools in the same run and print ratios.
import PackageDescription

let package = Package(
    name: "rationd-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "rationd", path: "..")],
    targets: [
        .executableTarget(name: "bench-miner", dependencies: [
            .product(name: "TemplateMiner", package: "rationd"),
            .product(name: "Triage", package: "rationd"),
        ]),
        .executableTarget(name: "bench-pipeline", dependencies: [
            .product(name: "RationCore", package: "rationd"),
            .product(name: "TemplateMiner", package: "rationd"),
            .product(name: "Triage", package: "rationd"),
            .product(name: "Evaluation", package: "rationd"),
        ]),
        .executableTarget(name: "bench-journal", dependencies: [.product(name: "Ingest", package: "rationd")]),
        .executableTarget(name: "bench-files", dependencies: [.product(name: "Ingest", package: "rationd")]),
        .executableTarget(name: "bench-store", dependencies: [
            .product(name: "AlertStore", package: "rationd"),
            .product(name: "Evaluation", package: "rationd"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

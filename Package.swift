// swift-tools-version:6.0
// PruneLab: compare visual-token pruning strategies for vision-language models on a CPU.
import PackageDescription

import Foundation

/// Whether the building machine's CPU has AVX2 and FMA (Linux; elsewhere, or with PRUNELAB_PORTABLE=1 in the
/// environment for a binary that runs on any x86-64, the baseline ISA is used).
let buildMachineHasAVX2: Bool = {
    guard ProcessInfo.processInfo.environment["PRUNELAB_PORTABLE"] != "1",
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let features = flags.split(separator: " ")
    return features.contains("avx2") && features.contains("fma")
}()

/// Release builds of the numeric targets may drop bounds checks, and use 256-bit vectors when the
/// building machine has them (the binary then needs such a CPU). Swift never fuses a multiply and an add,
/// so wider vectors change speed, not results; see README "Performance".
let numericFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"] + (buildMachineHasAVX2 ? ["-Xcc", "-mavx2"] : []),
                 .when(configuration: .release)),
]

let package = Package(
    name: "PruneLab",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Statistics", targets: ["Statistics"]),
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "SyntheticVQA", targets: ["SyntheticVQA"]),
        .library(name: "TinyVLM", targets: ["TinyVLM"]),
        .library(name: "TokenPruning", targets: ["TokenPruning"]),
        .library(name: "Comparison", targets: ["Comparison"]),
        .executable(name: "prune-bench", targets: ["PruneBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // C libraries. GSL and OpenBLAS stay in separate targets: GSL's gsl_cblas.h and OpenBLAS's
        // cblas.h declare the same enums, which clash when both are imported into one Swift module.
        .systemLibrary(
            name: "CGSL", path: "Sources/CGSL", pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]),
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        .target(name: "Statistics", dependencies: ["CGSL"], swiftSettings: numericFlags),
        // The engine's C kernels: the packed-weight product and fused attention heads of inference, and the
        // GELU every pass uses (AVX2 and FMA when the building machine has them, GELU on AVX-512 where the
        // running CPU has it; portable paths with the same results otherwise).
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O3"] + (buildMachineHasAVX2 ? ["-mavx2", "-mfma"] : []),
                                     .when(configuration: .release))]),
        .target(name: "Autograd", dependencies: ["CBLAS", "CKernels"], swiftSettings: numericFlags),
        .target(name: "SyntheticVQA", dependencies: ["Statistics"], swiftSettings: numericFlags),
        .target(
            name: "TinyVLM", dependencies: ["Autograd", "Statistics", "SyntheticVQA"],
            resources: [.copy("Resources")], swiftSettings: numericFlags),
        .target(
            name: "TokenPruning", dependencies: ["TinyVLM", "Autograd", "Statistics", "SyntheticVQA"],
            resources: [.copy("Resources")], swiftSettings: numericFlags),
        .target(
            name: "Comparison",
            dependencies: ["Statistics", "Autograd", "SyntheticVQA", "TinyVLM", "TokenPruning",
                           .product(name: "Yams", package: "Yams")],
            swiftSettings: numericFlags),

        .executableTarget(
            name: "PruneBench",
            dependencies: [
                "Statistics", "Autograd", "SyntheticVQA", "TinyVLM", "TokenPruning", "Comparison",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: numericFlags),

        .plugin(
            name: "ComparePruners",
            capability: .command(
                intent: .custom(verb: "compare-pruners", description: "Build prune-bench in release and run its comparison into Reports/"),
                permissions: [.writeToPackageDirectory(reason: "The comparison writes its report into Reports/")])),

        .testTarget(
            name: "StatisticsTests", dependencies: ["Statistics"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "CKernels"]),
        .testTarget(name: "SyntheticVQATests", dependencies: ["SyntheticVQA"]),
        .testTarget(name: "TinyVLMTests", dependencies: ["TinyVLM"]),
        .testTarget(name: "TokenPruningTests", dependencies: ["TokenPruning"]),
        .testTarget(name: "ComparisonTests", dependencies: ["Comparison"]),
        .testTarget(name: "PruneBenchTests", dependencies: ["PruneBench", "Autograd"]),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.1
// The module layout follows ../shared/design/ARCHITECTURE.md: C shims → pure core → effects → executable.
import PackageDescription

/// Pixel-crunching modules are compiled with optimization in debug builds too: unoptimized they
/// run 20–50× slower, which would make the test suite (which encodes real photos) crawl.
let optimizedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "synthstudio",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "synthstudio", targets: ["synthstudio"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C libraries: one thin system-library module each (module map + shim header).
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng"),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg"),
        .target(name: "CLoad", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CEmbree", dependencies: ["CLoad"]),
        .target(name: "COneDNN", dependencies: ["CLoad"]),
        .target(name: "CAssimp", dependencies: ["CLoad"]),
        .target(name: "COpenEXR", dependencies: ["CLoad"]),
        .systemLibrary(name: "CNCursesW"),
        .systemLibrary(name: "CLibC"),
        // libxml2 is loaded on first use (dlopen), so only its headers are needed at build time.
        .target(name: "CXML", dependencies: ["CLoad"], cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])]),
        // libpng's full API for row-by-row decoding, with every setjmp inside one C function.
        .target(name: "CPNGRows", linkerSettings: [.linkedLibrary("png16")]),

        // Pure core and effects.
        .target(name: "StudioCore", dependencies: ["CLibC"]),
        .target(name: "ImageIO", dependencies: ["StudioCore", "CLibC", "CLibPNG", "CTurboJPEG", "CPNGRows", "COpenEXR"]),
        .target(name: "TerminalGraphics", dependencies: ["StudioCore"], swiftSettings: optimizedEvenInDebug),
        .target(
            name: "Rendering", dependencies: ["StudioCore", "ImageIO", "CEmbree", "CAssimp"], swiftSettings: optimizedEvenInDebug),
        .target(name: "NeuralNet", dependencies: ["StudioCore", "COneDNN"], swiftSettings: optimizedEvenInDebug),
        .target(
            name: "Datasets",
            dependencies: ["StudioCore", "ImageIO", "CXML", .product(name: "Yams", package: "Yams")], swiftSettings: optimizedEvenInDebug
        ),

        .target(
            name: "Catalog",
            dependencies: ["Datasets", "StudioCore", "ImageIO", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        .target(
            name: "GAN", dependencies: ["NeuralNet", "Datasets", "ImageIO", "StudioCore"], swiftSettings: optimizedEvenInDebug),
        .target(
            name: "Evaluation", dependencies: ["NeuralNet", "Datasets", "ImageIO", "StudioCore"], swiftSettings: optimizedEvenInDebug),
        .target(name: "Engine", dependencies: ["Datasets", "Catalog", "ImageIO", "StudioCore", "Rendering", "GAN", "Evaluation"]),

        .target(
            name: "TUI",
            dependencies: ["Datasets", "Catalog", "Engine", "GAN", "TerminalGraphics", "ImageIO", "StudioCore", "CNCursesW"]),

        // The executable: argument parsing, then calls into the modules.
        .executableTarget(
            name: "synthstudio",
            dependencies: [
                "StudioCore", "ImageIO", "Datasets", "TerminalGraphics", "Catalog", "Engine", "Rendering", "GAN", "NeuralNet", "Evaluation",
                "TUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // Benchmarks are programs that print figures (`make bench`), never timed tests.
        .executableTarget(
            name: "synthstudio-bench",
            dependencies: [
                "StudioCore", "ImageIO", "Datasets", "TerminalGraphics", "Catalog", "Engine", "Rendering", "GAN", "NeuralNet", "TUI",
                "TestSupport",
            ],
            path: "Benchmarks/synthstudio-bench"
        ),

        // Fuzz targets (`make fuzz`): every reader of outside input behind one entry point, a
        // libFuzzer driver, and `make test` replaying the corpus and every crasher found.
        .target(
            name: "FuzzTargets", dependencies: ["ImageIO", "Datasets", "NeuralNet", "GAN", "Engine", "StudioCore", "Rendering"],
            path: "Fuzz/FuzzTargets"
        ),
        .executableTarget(name: "synthstudio-fuzz", dependencies: ["FuzzTargets"], path: "Fuzz/synthstudio-fuzz"),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"], exclude: ["Corpus"]),

        // Tests mirror the modules one to one; shared helpers live in TestSupport.
        .target(name: "TestSupport", dependencies: ["StudioCore", "ImageIO"], path: "Tests/TestSupport"),
        .testTarget(name: "StudioCoreTests", dependencies: ["StudioCore", "TestSupport"]),
        .testTarget(
            name: "TerminalGraphicsTests",
            dependencies: ["TerminalGraphics", "StudioCore", "ImageIO", "TestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "EngineTests", dependencies: ["Engine", "Rendering", "Catalog", "Datasets", "ImageIO", "StudioCore", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "StudioCore"], exclude: ["Fixtures"]),
        .testTarget(
            name: "EvaluationTests", dependencies: ["Evaluation", "NeuralNet", "Datasets", "ImageIO", "StudioCore", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(name: "GANTests", dependencies: ["GAN", "NeuralNet", "Datasets", "ImageIO", "StudioCore", "TestSupport"]),
        .testTarget(
            name: "TUITests",
            dependencies: ["TUI", "Datasets", "Catalog", "Engine", "ImageIO", "StudioCore", "TerminalGraphics", "TestSupport"]),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering", "StudioCore", "ImageIO", "TestSupport"]),
        .testTarget(
            name: "CatalogTests",
            dependencies: ["Catalog", "Datasets", "StudioCore", "ImageIO", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Fixtures"]),
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO", "StudioCore", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "DatasetsTests",
            dependencies: ["Datasets", "ImageIO", "StudioCore", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "synthstudioTests",
            dependencies: ["synthstudio", "StudioCore", "ImageIO", "Datasets", "Engine", "TestSupport"]
        ),
    ]
)

// The strict settings of STYLE.md, on every Swift target.
for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}

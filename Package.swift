// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "EnterpriseCDP",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cdp", targets: ["cdp"]),
        .library(name: "CDPEngine", targets: ["CDPEngine"]),
        .library(name: "TermUI", targets: ["TermUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Pure domain: value types, standardisation, rules, workflow planning. Foundation only.
        .target(name: "CDPCore"),
        // What every store offers the engine: one protocol per feature and the rows, filters and errors they
        // speak. The console and the CLI use these types; only the engine opens a store.
        .target(name: "CDPRepositories", dependencies: ["CDPCore"]),
        // SQLite's process-wide settings, which only C can make (a variadic call). Used by CDPStore alone.
        .target(name: "CSQLiteSetup", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The lake on disk: GRDB database, migrations, repositories speaking domain types.
        .target(
            name: "CDPStore",
            dependencies: [
                "CDPCore", "CDPRepositories", "CSQLiteSetup",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The team store on PostgreSQL: connection settings (no password in cdp.toml), the fixed-SQL schema, the
        // roles, grants and masked views compiled from the access policy, steward functions and the run lock.
        .target(
            name: "CDPPostgresStore",
            dependencies: [
                "CDPCore", "CDPRepositories",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // I/O side of the core: config loading, readers, pipeline steps, workflow runner.
        .target(
            name: "CDPEngine",
            dependencies: [
                "CDPCore", "CDPRepositories", "CDPStore", "CDPPostgresStore",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // `cdp metrics --serve`: a small HTTP endpoint for a Prometheus scraper.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Resources/WorkspaceTemplate"), .copy("Resources/Spark")]),
        // Terminal UI toolkit: cells, buffers, layout, widgets, frame diffing. Nothing of ours below it.
        .target(name: "TermUI"),
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncursesw5-dev"])]),
        .target(name: "TermUICurses", dependencies: ["TermUI", "CNcurses"]),
        .target(name: "TermUITesting", dependencies: ["TermUI"]),
        .target(name: "StewardConsole", dependencies: ["CDPEngine", "CDPRepositories", "TermUI"]),
        .executableTarget(
            name: "cdp",
            dependencies: [
                "CDPEngine", "CDPRepositories", "StewardConsole", "TermUICurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Test-only helpers the test targets share (scratch folders removed when the test process exits).
        .target(name: "CDPTestSupport", path: "Tests/CDPTestSupport"),
        .testTarget(name: "CDPCoreTests", dependencies: ["CDPCore"]),
        .testTarget(
            name: "CDPStoreTests",
            dependencies: ["CDPStore", "CDPRepositories", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "CDPEngineTests", dependencies: ["CDPEngine", "CDPRepositories", "CDPTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["HostileQueries"]),
        .testTarget(
            name: "CDPPostgresStoreTests",
            dependencies: ["CDPPostgresStore", "CDPEngine", "CDPTestSupport"],
            exclude: ["HostileQueries"]),
        .testTarget(name: "CLITests", dependencies: ["CDPEngine", "CDPRepositories", "CDPStore", "CDPTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TermUITests", dependencies: ["TermUI", "TermUITesting"], exclude: ["__Snapshots__"]),
        .testTarget(name: "StewardConsoleTests", dependencies: ["StewardConsole", "CDPRepositories", "TermUITesting", "CDPTestSupport"], exclude: ["__Snapshots__"]),
    ],
    swiftLanguageModes: [.v6]
)

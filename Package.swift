// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "FlowForge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "flowforge", targets: ["flowforge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/JohnSundell/Ink.git", exact: "0.6.0"),
    ],
    targets: [
        .target(
            name: "FlowForgeCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .systemLibrary(name: "CLibGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        // Uploaded sources (.zip, .tar, .tar.gz) are read with libarchive; FlowForge writes every entry itself.
        .systemLibrary(name: "CLibArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .target(name: "FlowForgeArchive", dependencies: ["CLibArchive"]),
        // `chattr` flags for the workspaces folder: `ioctl` is variadic, so Swift cannot call it.
        .target(name: "CFileFlags"),
        // posix_spawn with the GNU extensions the local backend needs (pipe2, addchdir_np, addclosefrom_np).
        .target(name: "CProcessSpawn"),
        .target(
            name: "FlowForgeGit",
            dependencies: [
                "CLibGit2", "CFileFlags", "FlowForgeCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "FlowForgeRunner",
            dependencies: [
                "FlowForgeCore", "CProcessSpawn",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The log store's file I/O runs on NIOThreadPool, off the cooperative threads.
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "FlowForgeForges",
            dependencies: [
                "FlowForgeCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FlowForgeStore",
            dependencies: [
                "FlowForgeCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The plain-SQL migrations ship inside the binary's resource bundle; `migrations/` at the
            // top of the repository links here so they are easy to find.
            resources: [.copy("Migrations")]
        ),
        .target(
            name: "FlowForgeServer",
            dependencies: [
                "FlowForgeCore", "FlowForgeGit", "FlowForgeRunner", "FlowForgeForges", "FlowForgeStore", "FlowForgeArchive",
                .product(name: "Hummingbird", package: "hummingbird"),
                // The HTTP server's own connection handling (timeouts, connection cap).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // The /docs pages are Markdown rendered with Ink; /docs/api reads docs/openapi.yaml with Yams.
                .product(name: "Ink", package: "Ink"),
                .product(name: "Yams", package: "Yams"),
            ],
            // `Resources/docs` links to the top-level `docs/`: processed resources follow the link and copy each
            // file into the bundle, so `flowforge serve` finds its pages wherever it runs.
            resources: [.process("Resources/docs")]
        ),
        // The v1 API's client for `flowforge pipeline …`: plain HTTP, no server code.
        .target(
            name: "FlowForgeClient",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "flowforge",
            dependencies: [
                "FlowForgeServer", "FlowForgeClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `run` and `lint` read files and run steps off the cooperative threads.
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Shared helpers for tests only: a local git server, Docker prerequisites, temporary folders.
        .target(
            name: "FlowForgeTestSupport",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                // The fake forge API (FakeForge*.swift) is a small Hummingbird server.
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "FlowForgeCoreTests",
            dependencies: ["FlowForgeCore"]
        ),
        .testTarget(
            name: "FlowForgeGitTests",
            dependencies: ["FlowForgeGit", "FlowForgeTestSupport"]
        ),
        .testTarget(
            name: "FlowForgeRunnerTests",
            dependencies: [
                "FlowForgeRunner", "FlowForgeTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "FlowForgeArchiveTests",
            dependencies: ["FlowForgeArchive"]
        ),
        .testTarget(
            name: "FlowForgeClientTests",
            dependencies: ["FlowForgeClient"]
        ),
        .testTarget(
            name: "FlowForgeForgesTests",
            dependencies: ["FlowForgeForges"]
        ),
        .testTarget(
            name: "FlowForgeServerTests",
            dependencies: [
                "FlowForgeServer", "FlowForgeTestSupport", "FlowForgeClient",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)

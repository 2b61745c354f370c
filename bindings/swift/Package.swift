// swift-tools-version:5.9
// The cocart SDK for iOS and macOS: the uniffi-generated Swift (Sources/CoCart/Generated, made by
// bindings/scripts/generate.sh) over libcocart_ffi, shipped as build/CoCartFFI.xcframework (made
// by bindings/scripts/build-xcframework.sh, macOS only). Not built by this repository's own CI.
import PackageDescription

let package = Package(
    name: "CoCart",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "CoCart", targets: ["CoCart"]),
    ],
    targets: [
        .binaryTarget(name: "CoCartFFI", path: "build/CoCartFFI.xcframework"),
        .target(
            name: "CoCart",
            dependencies: ["CoCartFFI"],
            path: "Sources/CoCart",
            // The library checks certificates with the platform verifier (Security.framework).
            linkerSettings: [.linkedFramework("Security"), .linkedFramework("CoreFoundation")]
        ),
        .testTarget(
            name: "CoCartTests",
            dependencies: ["CoCart"],
            path: "Tests/CoCartTests"
        ),
    ]
)

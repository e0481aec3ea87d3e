import FlowForgeGit
import FlowForgeTestSupport
import Foundation
import Testing

// TEMPORARY measurement harness; deleted after measuring.
@Test func zzMeasureCheckout() async throws {
    guard let source = ProcessInfo.processInfo.environment["FF_MEASURE_SOURCE"] else { return }
    let fixture = try GitFixture()
    defer { fixture.remove() }
    let server = try GitTestServer()
    defer { server.stop() }
    try GitCommandLine.run(["clone", "--quiet", "--bare", source, server.root.appendingPathComponent("big.git").path])
    let url = "\(server.baseURL)/big.git"
    let clock = ContinuousClock()
    var lines: [String] = []
    let cold = try await clock.measure { _ = try await fixture.checkout(url) }
    lines.append("cold mirror checkout: \(cold)")
    let (_, probe) = try await fixture.checkout(url)
    let packDir = probe.appendingPathComponent(".git/objects/pack")
    for name in try FileManager.default.contentsOfDirectory(atPath: packDir.path) {
        let attrs = try FileManager.default.attributesOfItem(atPath: packDir.appendingPathComponent(name).path)
        lines.append("pack \(name) links=\(attrs[.referenceCount] ?? "?") size=\(attrs[.size] ?? "?")")
    }
    lines.append("loose: \(try GitCommandLine.run(["count-objects", "-v"], in: probe).split(separator: "\n").first ?? "")")
    for i in 0..<5 {
        let warm = try await clock.measure { _ = try await fixture.checkout(url) }
        lines.append("warm checkout \(i): \(warm)")
    }
    for i in 0..<5 {
        let target = fixture.newWorkspace()
        let clone = try clock.measure { try GitCommandLine.run(["clone", "--quiet", url, target.path]) }
        lines.append("git clone over HTTP \(i): \(clone)")
    }
    for i in 0..<3 {
        let target = fixture.newWorkspace()
        let clone = try clock.measure { try GitCommandLine.run(["clone", "--quiet", "--depth=1", url, target.path]) }
        lines.append("git clone --depth=1 over HTTP \(i): \(clone)")
    }
    try lines.joined(separator: "\n").write(toFile: "/tmp/gtest/measure.txt", atomically: true, encoding: .utf8)
    #expect(!lines.isEmpty)
}

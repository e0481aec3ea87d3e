import FlowForgeTestSupport
import Foundation
import Testing

/// Browser tests run where Chromium, chromedriver, dockerd and the test image are, and always on CI.
let browserAvailable = isCI || (ChromeDriver.problem() == nil && DockerTestPrerequisites.problem() == nil)

extension Trait where Self == ConditionTrait {
    static var needsBrowser: Self {
        .enabled(if: browserAvailable, "needs chromium, chromium-driver and dockerd (scripts/install-deps.sh, scripts/ci/start-dockerd.sh)")
    }
}

/// Runs `body` with a fresh headless Chromium, closed afterwards.
func withBrowser(_ body: (WebDriverSession) async throws -> Void) async throws {
    if let problem = ChromeDriver.problem() { Issue.record(Comment(rawValue: problem)) }
    let driver = try await ChromeDriver()
    let browser = try await WebDriverSession.start(driver: driver)
    do {
        try await body(browser)
    } catch {
        let page = (try? await browser.source()).map { String($0.prefix(2000)) } ?? "?"
        await browser.close()
        Issue.record("the page when it failed: \(page)")
        throw error
    }
    await browser.close()
    _ = driver
}

/// `docs/screenshots/` of this checkout, where the browser tests put the pictures the README shows.
let screenshotDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("docs/screenshots", isDirectory: true)

extension WebDriverSession {
    /// Writes `<name>-desktop.png` (1280 wide) and `<name>-phone.png` (390 wide) of the current page.
    func screenshots(_ name: String) async throws {
        try FileManager.default.createDirectory(at: screenshotDirectory, withIntermediateDirectories: true)
        for (label, width) in [("desktop", 1280), ("phone", 390)] {
            try await resize(width: width, height: 900)
            let png = try await fullPageScreenshot(width: width)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            try png.write(to: screenshotDirectory.appendingPathComponent("\(name)-\(label).png"))
        }
        try await resize(width: 1280, height: 900)
    }

    func pathname() async throws -> String {
        try await execute("return location.pathname + location.search;") as? String ?? ""
    }
}

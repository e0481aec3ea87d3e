import AsyncHTTPClient
import Foundation
import NIOCore

/// A small W3C WebDriver client: JSON over HTTP to a chromedriver on 127.0.0.1 that `ChromeDriver` starts.
/// Only what the browser tests use: navigate, find, click, type, read, run a script, resize, screenshot.
public struct WebDriverSession: Sendable {
    public let base: String
    public let id: String

    public struct Element: Sendable { public let id: String }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// Opens a headless Chromium window of `width`×`height`.
    public static func start(driver: ChromeDriver, width: Int = 1280, height: Int = 900) async throws -> WebDriverSession {
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": [
                "binary": ChromeDriver.chromiumBinary,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)",
                         "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-extensions",
                         // Nothing but this machine: no DNS look-up, no request leaves 127.0.0.1.
                         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--disable-component-update", "--disable-sync"],
            ],
        ] as [String: Any]]]
        let answer = try await call(driver.baseURL, "POST", "/session", capabilities)
        guard let value = answer as? [String: Any], let id = value["sessionId"] as? String else {
            throw Failure(description: "chromedriver opened no session: \(String(describing: answer))")
        }
        return WebDriverSession(base: driver.baseURL, id: id)
    }

    public func close() async { _ = try? await Self.call(base, "DELETE", "/session/\(id)", nil) }

    public func open(_ url: String) async throws { _ = try await command("POST", "url", ["url": url]) }
    public func currentURL() async throws -> String { try await command("GET", "url", nil) as? String ?? "" }
    public func source() async throws -> String { try await command("GET", "source", nil) as? String ?? "" }

    public func find(_ css: String) async throws -> Element {
        let value = try await command("POST", "element", ["using": "css selector", "value": css])
        guard let object = value as? [String: Any], let element = object[Self.elementKey] as? String else {
            throw Failure(description: "no element matches \(css)")
        }
        return Element(id: element)
    }

    public func findAll(_ css: String) async throws -> [Element] {
        let value = try await command("POST", "elements", ["using": "css selector", "value": css]) as? [[String: Any]] ?? []
        return value.compactMap { ($0[Self.elementKey] as? String).map(Element.init) }
    }

    public func click(_ css: String) async throws {
        let element = try await find(css)
        _ = try await command("POST", "element/\(element.id)/click", [:])
    }

    public func type(_ css: String, _ text: String) async throws {
        let element = try await find(css)
        _ = try await command("POST", "element/\(element.id)/clear", [:])
        _ = try await command("POST", "element/\(element.id)/value", ["text": text])
    }

    public func text(_ css: String) async throws -> String {
        let element = try await find(css)
        return try await command("GET", "element/\(element.id)/text", nil) as? String ?? ""
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its result.
    public func execute(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try await command("POST", "execute/sync", ["script": script, "args": args])
    }

    /// Runs an async script: the last argument is the callback that ends it.
    public func executeAsync(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try await command("POST", "execute/async", ["script": script, "args": args])
    }

    public func resize(width: Int, height: Int) async throws {
        _ = try await command("POST", "window/rect", ["width": width, "height": height])
    }

    /// Grants a permission such as `clipboard-read` (Chrome's WebDriver extension of the Permissions API).
    public func grant(_ permission: String) async throws {
        _ = try await command("POST", "permissions", ["descriptor": ["name": permission], "state": "granted"])
    }

    /// A PNG of the viewport.
    public func screenshot() async throws -> Data {
        guard let text = try await command("GET", "screenshot", nil) as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "chromedriver sent no screenshot")
        }
        return data
    }

    /// A PNG of the whole page, as tall as its content (Chrome's full-size capture through a resize).
    public func fullPageScreenshot(width: Int) async throws -> Data {
        let height = try await execute("return Math.ceil(document.documentElement.scrollHeight);") as? Int ?? 900
        try await resize(width: width, height: min(max(height + 140, 600), 6000))
        return try await screenshot()
    }

    /// Waits (bounded) until `script` returns true in the page, polling it.
    public func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ script: String) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await execute(script) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let url = (try? await currentURL()) ?? "?"
        throw Failure(description: "timed out waiting \(what) on \(url)")
    }

    private func command(_ method: String, _ path: String, _ body: [String: Any]?) async throws -> Any? {
        try await Self.call(base, method, "/session/\(id)/\(path)", body)
    }

    static func call(_ base: String, _ method: String, _ path: String, _ body: [String: Any]?) async throws -> Any? {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes), options: [.fragmentsAllowed])) as? [String: Any]
        let value = object?["value"]
        if response.status.code >= 400 {
            let error = (value as? [String: Any]).map { "\($0["error"] ?? ""): \($0["message"] ?? "")" } ?? String(buffer: bytes)
            throw Failure(description: "WebDriver \(method) \(path) failed (\(response.status.code)): \(error)")
        }
        return value is NSNull ? nil : value
    }
}

/// A chromedriver process on a free port of 127.0.0.1, killed when released.
public final class ChromeDriver: @unchecked Sendable {
    // Process is thread-safe for the calls used here.
    let process: Process
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public static let chromiumBinary = ProcessInfo.processInfo.environment["CHROMIUM_BIN"] ?? "/usr/bin/chromium"
    static let driverBinary = ProcessInfo.processInfo.environment["CHROMEDRIVER_BIN"] ?? "/usr/bin/chromedriver"

    /// What is missing for browser tests on this machine, or nil when Chromium and chromedriver are there.
    public static func problem() -> String? {
        for binary in [chromiumBinary, driverBinary] where !FileManager.default.isExecutableFile(atPath: binary) {
            return "\(binary) is missing: install Debian's chromium and chromium-driver (scripts/install-deps.sh)"
        }
        return nil
    }

    public init() async throws {
        port = ServerProcess.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.driverBinary)
        process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            if let status = try? await WebDriverSession.call(baseURL, "GET", "/status", nil) as? [String: Any], status["ready"] as? Bool == true {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw WebDriverSession.Failure(description: "chromedriver did not start on port \(port)")
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

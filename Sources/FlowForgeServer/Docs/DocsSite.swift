import Foundation
import Logging
import NIOPosix

/// The /docs pages, rendered once at start-up from the Markdown files and `openapi.yaml` shipped in the
/// binary's resources (`Resources/docs`, a link to the repository's `docs/`), so `flowforge serve` has them
/// wherever it runs. Pages are kept as finished HTML; serving one is a dictionary look-up.
struct DocsSite: Sendable {
    struct Page: Sendable {
        let slug: String
        let title: String
        let html: String
    }

    /// Page slug (file name without `.md`) → page.
    let pages: [String: Page]
    let index: String
    /// `/docs/api`; nil when openapi.yaml is missing or unreadable (logged at start-up).
    let apiReference: String?

    /// The pages people look for first lead the navigation, in this order; the rest follow by title.
    static let leading = ["quickstart", "flowforge-yml", "webhooks", "pipelines-api", "billing", "cli"]

    /// Reads and renders everything on NIOThreadPool: file reads must not block the cooperative threads.
    static func load(logger: Logger) async throws -> DocsSite {
        try await NIOThreadPool.singleton.runIfActive { try build(directory: resourceDirectory, logger: logger) }
    }

    /// The bundle's resources: processed resources land flat in the bundle's folder.
    static var resourceDirectory: URL { Bundle.module.resourceURL ?? Bundle.module.bundleURL }

    static func build(directory: URL, logger: Logger) throws -> DocsSite {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }
        var rendered: [(slug: String, title: String, html: String)] = []
        for file in files {
            let slug = file.deletingPathExtension().lastPathComponent
            let result = DocsMarkdown.render(try String(contentsOf: file, encoding: .utf8))
            rendered.append((slug, result.title ?? slug, result.html))
        }
        rendered.sort { order($0.slug, $0.title) < order($1.slug, $1.title) }

        var apiHTML: String?
        do {
            let yaml = try String(contentsOf: directory.appendingPathComponent("openapi.yaml"), encoding: .utf8)
            apiHTML = try OpenAPIReference(yaml: yaml).html()
        } catch {
            logger.error("the API reference is not available: docs/openapi.yaml could not be read", metadata: ["error": "\(error)"])
        }

        let navigation = rendered.map { (href: "/docs/\($0.slug)", title: $0.title) } + (apiHTML == nil ? [] : [(href: "/docs/api", title: "API reference")])
        var pages: [String: Page] = [:]
        for page in rendered {
            pages[page.slug] = Page(slug: page.slug, title: page.title, html: DocsLayout.page(title: page.title, navigation: navigation, body: page.html))
        }
        let entries = navigation.map { "<li><a href=\"\(HTMLText.escape($0.href))\">\(HTMLText.escape($0.title))</a></li>" }.joined(separator: "\n")
        let index = DocsLayout.page(title: "Documentation", navigation: navigation, body: "<h1>Documentation</h1>\n<ul class=\"docs-index\">\n\(entries)\n</ul>")
        let api = apiHTML.map { DocsLayout.page(title: "API reference", navigation: navigation, body: $0) }
        return DocsSite(pages: pages, index: index, apiReference: api)
    }

    private static func order(_ slug: String, _ title: String) -> (Int, String) {
        (leading.firstIndex(of: slug) ?? leading.count, title.lowercased())
    }
}

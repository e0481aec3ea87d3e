import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import Yams
@testable import FlowForgeServer

/// The /docs pages, served by the real application from the Markdown and openapi.yaml in its resources.
@Suite("docs pages")
struct DocsPageTests {
    @Test func theIndexLinksEveryGuideAndTheAPIReference() async throws {
        try await withTestApp { client, _ in
            let index = try await client.send(.get, "/docs")
            #expect(index.status == .ok)
            #expect(index.headers[.contentType] == "text/html; charset=utf-8")
            let html = text(index)
            for (slug, title) in [
                ("quickstart", "Quickstart"), ("flowforge-yml", "flowforge.yml reference"), ("webhooks", "Webhooks"),
                ("billing", "Plans, usage"), ("cli", "command line"), ("status-badges", "Status badges"), ("api", "API reference"),
            ] {
                #expect(html.contains("<a href=\"/docs/\(slug)\">"), "the index links /docs/\(slug)")
                #expect(html.contains(title), "the index names \(title)")
            }
            #expect(html.range(of: "href=\"/docs/quickstart\"")!.lowerBound < html.range(of: "href=\"/docs/security\"")!.lowerBound,
                    "the quickstart leads")
        }
    }

    @Test func aGuideRendersWithHeadingsAnchorsAndWorkingLinks() async throws {
        try await withTestApp { client, _ in
            let page = try await client.send(.get, "/docs/quickstart")
            #expect(page.status == .ok)
            let html = text(page)
            #expect(html.contains("<title>Quickstart · FlowForge docs</title>"))
            #expect(html.contains("<h1 id=\"quickstart\">Quickstart</h1>"))
            #expect(html.contains("<h2 id=\"1-serve-flowforge\">1. Serve FlowForge</h2>"))
            #expect(html.contains("href=\"/docs/flowforge-yml\""), "links to other documents point at their pages")
            #expect(!html.contains(".md\""), "no link is left to a Markdown file")
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'") == true)

            // Every /docs link of every page leads to a page that exists.
            let index = text(try await client.send(.get, "/docs"))
            var targets = Set<String>()
            for slug in Self.links(in: index) {
                let linked = try await client.send(.get, slug)
                #expect(linked.status == .ok, "\(slug) is linked from the index")
                targets.formUnion(Self.links(in: text(linked)))
            }
            for target in targets {
                #expect(try await client.send(.get, target).status == .ok, "\(target) is linked from a page")
            }
        }
    }

    @Test func codeBlocksAreEscaped() throws {
        let rendered = DocsMarkdown.render("""
            # Title

            Inline `<b>bold</b>` code.

            ```html
            <script>alert("x") && 1 < 2</script>
            ```
            """)
        #expect(rendered.html.contains("<pre><code class=\"language-html\">&lt;script&gt;alert(\"x\") &amp;&amp; 1 &lt; 2&lt;/script&gt;"))
        #expect(rendered.html.contains("<code>&lt;b&gt;bold&lt;/b&gt;</code>"))
        #expect(!rendered.html.contains("<script>"))
    }

    /// The quickstart's `"<a token that can read it>"` and flowforge.yml's `&common` are code, shown as written.
    @Test func theServedPagesEscapeTheirCode() async throws {
        try await withTestApp { client, _ in
            let quickstart = text(try await client.send(.get, "/docs/quickstart"))
            #expect(quickstart.contains("&quot;access_token&quot;: &quot;&lt;a token that can read it&gt;&quot;")
                || quickstart.contains("\"access_token\": \"&lt;a token that can read it&gt;\""))
            #expect(!quickstart.contains("<a token"))
            let reference = text(try await client.send(.get, "/docs/flowforge-yml"))
            #expect(reference.contains("<pre><code class=\"language-yaml\">"))
            #expect(reference.contains("env: &amp;common { TZ: UTC }"))
        }
    }

    @Test func anUnknownPageIsAnHTML404() async throws {
        try await withTestApp { client, _ in
            let missing = try await client.send(.get, "/docs/no-such-page")
            #expect(missing.status == .notFound)
            #expect(text(missing).contains("href=\"/docs\""))
            let probe = try await client.send(.get, "/docs/%3Cscript%3E")
            #expect(probe.status == .notFound)
            #expect(!text(probe).contains("<script>"), "the name is escaped")
        }
    }

    /// `/docs/api` shows every operation of openapi.yaml: method, path and summary.
    @Test func theAPIReferenceListsEveryOperation() async throws {
        let reference = try OpenAPIReference(yaml: String(contentsOf: OpenAPIFile.url, encoding: .utf8))
        let (_, documented) = try OpenAPIFile.load()
        #expect(Set(reference.operations.map { RouteKey(method: $0.method, path: $0.path) }) == documented)
        let expected = reference.operations.map { ($0.method, $0.path, $0.node["summary"]?.string) }
        try await withTestApp { client, _ in
            let page = try await client.send(.get, "/docs/api")
            #expect(page.status == .ok)
            let html = text(page)
            for (method, path, summary) in expected {
                let heading = "<span class=\"method\">\(method)</span> <code>\(HTMLText.escape(path))</code>"
                #expect(html.contains(heading), "/docs/api shows \(method) \(path)")
                if let summary {
                    #expect(html.contains(HTMLText.escape(summary)), "the summary of \(method) \(path)")
                }
            }
            // Parameters, request and response schemas are spelt out.
            let createPipeline = try #require(html.components(separatedBy: "id=\"createpipeline\"").dropFirst().first)
                .components(separatedBy: "</section>")[0]
            #expect(createPipeline.contains("<h4>Request body</h4>"))
            #expect(createPipeline.contains("<code>repo_url</code>"))
            #expect(createPipeline.contains("<code>multipart/form-data</code>"))
            #expect(createPipeline.contains("<code>201</code>"))
            #expect(createPipeline.contains("<code>commit_sha</code>"), "the response schema's fields (from a $ref)")
            let showPipeline = try #require(html.components(separatedBy: "id=\"showpipeline\"").dropFirst().first)
                .components(separatedBy: "</section>")[0]
            #expect(showPipeline.contains("<h4>Parameters</h4>") && showPipeline.contains("<code>id</code>"))
            #expect(showPipeline.contains("<code>apiKey</code>"))
        }
    }

    /// The `/docs` links on a page, without fragments.
    static func links(in html: String) -> Set<String> {
        var links = Set<String>()
        for part in html.components(separatedBy: "href=\"").dropFirst() {
            let href = part.prefix { $0 != "\"" && $0 != "#" }
            if href.hasPrefix("/docs") { links.insert(String(href)) }
        }
        return links
    }
}


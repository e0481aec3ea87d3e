import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /docs` (the index), `GET /docs/api` (the API reference from openapi.yaml) and `GET /docs/:page`
/// (one of `docs/*.md`). Public pages for people: HTML, and an unknown page is an HTML 404 with a way back.
struct DocsController {
    let site: DocsSite

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get { _, _ in Self.page(site.index) }
            .get("api") { _, _ in
                guard let html = site.apiReference else { return Self.notFound("The API reference is not available on this server.") }
                return Self.page(html)
            }
            .get(":page") { _, context in
                let slug = try context.parameters.require("page")
                guard let page = site.pages[slug] else {
                    return Self.notFound("There is no page named “\(slug)”.")
                }
                return Self.page(page.html)
            }
    }

    /// Only the inline stylesheet may apply: no scripts, no outside hosts, no framing.
    static let contentSecurityPolicy: String = {
        let digest = Data(SHA256.hash(data: Data(DocsLayout.style.utf8))).base64EncodedString()
        return "default-src 'none'; style-src 'sha256-\(digest)'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }()

    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "public, max-age=300"]
        WebSessionMiddleware.addSecurityHeaders(&headers, contentSecurityPolicy: contentSecurityPolicy)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func notFound(_ message: String) -> Response {
        let body = "<h1>Page not found</h1>\n<p>\(HTMLText.escape(message)) See the <a href=\"/docs\">documentation index</a>.</p>"
        return page(DocsLayout.page(title: "Page not found", navigation: [], body: body), status: .notFound)
    }
}

import Hummingbird

/// `GET /assets/app.css` and the two small scripts: served by the server itself, so every page works
/// offline and the CSP can allow `'self'` only. Cached for an hour; they change only with a release.
struct WebAssets {
    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("app.css") { _, _ in Self.asset(WebStylesheet.css, type: "text/css; charset=utf-8") }
            .get("copy.js") { _, _ in Self.asset(WebScripts.copy, type: "text/javascript; charset=utf-8") }
            .get("pipeline.js") { _, _ in Self.asset(WebScripts.pipeline, type: "text/javascript; charset=utf-8") }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

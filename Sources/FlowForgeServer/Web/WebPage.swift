import Hummingbird

/// One page in the site's layout: a skip link, the header with the navigation for signed-in or signed-out
/// visitors, the page's content in `<main>`, and the one stylesheet.
struct WebPage {
    let title: String
    var status: HTTPResponse.Status = .ok
    /// The dashboard section to mark as current in the navigation.
    var section: String? = nil
    var scripts: [String] = []
    let content: HTML

    func render(_ context: AppRequestContext) -> Response {
        let document: HTML = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · FlowForge</title>
            <link rel="stylesheet" href="/assets/app.css">
            <link rel="icon" href="data:,">
            \(scripts.map { HTML("<script src=\"\($0)\" defer></script>") })
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header class="top">
            <a class="brand" href="/">FlowForge</a>
            \(navigation(context))
            </header>
            <main id="main" tabindex="-1">
            \(content)
            </main>
            <footer class="foot"><p>FlowForge: ephemeral CI/CD, API first. <a href="/docs">Documentation</a></p></footer>
            </body>
            </html>
            """
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: document.rendered)))
    }

    private func navigation(_ context: AppRequestContext) -> HTML {
        guard let user = context.web.user else {
            return """
                <nav aria-label="Site"><ul>
                <li><a href="/#pricing">Pricing</a></li><li><a href="/docs">Docs</a></li>
                <li><a href="/auth/login">Sign in</a></li><li><a class="button" href="/auth/register?plan=free">Start free</a></li>
                </ul></nav>
                """
        }
        let items: [(String, String, String)] = [
            ("overview", "/dashboard", "Overview"), ("pipelines", "/dashboard/pipelines", "Pipelines"),
            ("repositories", "/dashboard/repositories", "Repositories"), ("api-keys", "/dashboard/api-keys", "API keys"),
            ("billing", "/dashboard/billing", "Billing"), ("settings", "/dashboard/settings", "Settings"),
        ]
        let links = items.map { id, href, label -> HTML in
            id == section ? "<li><a href=\"\(href)\" aria-current=\"page\">\(label)</a></li>" : "<li><a href=\"\(href)\">\(label)</a></li>"
        }
        return """
            <nav aria-label="Dashboard"><ul>\(links)<li><a href="/docs">Docs</a></li></ul></nav>
            <form class="signout" method="post" action="/auth/logout">\(csrfField(context))
            <span class="who">\(user.email)</span> <button type="submit" class="link">Sign out</button></form>
            """
    }
}

/// The hidden field every form carries; `WebSessionMiddleware` refuses a POST without it.
func csrfField(_ context: AppRequestContext) -> HTML {
    "<input type=\"hidden\" name=\"csrf_token\" value=\"\(context.web.csrfToken)\">"
}

/// An error as a page: what went wrong and a way on.
struct WebErrorPage {
    let status: HTTPResponse.Status
    let message: String

    func render(_ context: AppRequestContext) -> Response {
        let heading = status == .notFound ? "Not found" : status.reasonPhrase
        return WebPage(title: heading, status: status, content: """
            <section class="narrow"><h1>\(heading)</h1><p class="error" role="alert">\(message)</p>
            <p><a href="\(context.web.user == nil ? "/" : "/dashboard")">Go back</a></p></section>
            """).render(context)
    }
}

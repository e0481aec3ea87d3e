/// The one HTML frame of the /docs pages: a title, a navigation bar and the page's body, with its small
/// stylesheet inline so the pages need no other request and no outside host.
enum DocsLayout {
    /// `title` is plain text; `body` is HTML already made safe by its producer.
    static func page(title: String, navigation: [(href: String, title: String)], body: String) -> String {
        let links = navigation.map { "<li><a href=\"\(HTMLText.escape($0.href))\">\(HTMLText.escape($0.title))</a></li>" }.joined()
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title)) · FlowForge docs</title>
            <style>\(style)</style>
            </head>
            <body>
            <a class="skip" href="#content">Skip to content</a>
            <nav aria-label="Documentation"><a class="home" href="/docs">FlowForge docs</a><ul>\(links)</ul></nav>
            <main id="content">
            \(body)
            </main>
            </body>
            </html>
            """
    }

    static let style = """
        :root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--code:#f3f4f6;--link:#0a58ca}
        @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#30363d;--code:#161b22;--link:#6cb6ff}}
        body{margin:0;font:16px/1.6 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
        nav{border-bottom:1px solid var(--line);padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
        nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
        nav .home{font-weight:600}
        main{max-width:60rem;margin:0 auto;padding:1rem}
        a{color:var(--link)} a:focus-visible{outline:2px solid var(--link);outline-offset:2px}
        .skip{position:absolute;left:-999px} .skip:focus{left:1rem;top:.5rem}
        pre{background:var(--code);padding:.75rem;overflow-x:auto;border-radius:6px}
        code{font:0.9em ui-monospace,monospace;background:var(--code);padding:.1em .25em;border-radius:4px}
        pre code{padding:0;background:none}
        table{border-collapse:collapse;display:block;overflow-x:auto} th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
        .operation{border-top:1px solid var(--line);padding-top:.5rem;margin-top:1.5rem}
        .method{display:inline-block;min-width:4.5rem;font:600 .85em ui-monospace,monospace;text-transform:uppercase}
        .muted{color:var(--muted)}
        """
}

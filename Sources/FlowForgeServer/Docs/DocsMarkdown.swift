import Foundation
import Ink

/// Markdown of `docs/*.md` to HTML with Ink. Headings get ids (so `#section` links land), and links between
/// the documents (`billing.md#limits`) point at their pages (`/docs/billing#limits`). Ink escapes the text of
/// code blocks and inline code itself.
enum DocsMarkdown {
    struct Rendered {
        let title: String?
        let html: String
    }

    static func render(_ markdown: String) -> Rendered {
        // Ink's parser is not Sendable, so each render makes its own (start-up only, a few milliseconds).
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .headings) { html, markdown in headingWithID(html: html, markdown: markdown) })
        parser.addModifier(Modifier(target: .links) { html, _ in rewritingDocumentLinks(html) })
        let parsed = parser.parse(markdown)
        return Rendered(title: parsed.title, html: parsed.html)
    }

    /// `<h2>Billing off</h2>` → `<h2 id="billing-off">Billing off</h2>`, the id made as GitHub makes it.
    static func headingWithID(html: String, markdown: Substring) -> String {
        guard html.hasPrefix("<h"), html.count > 4 else { return html }
        let text = markdown.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)
        let id = anchor(text)
        guard !id.isEmpty else { return html }
        let level = html.prefix(3)
        return "\(level) id=\"\(id)\"" + html.dropFirst(3)
    }

    /// Lower case, spaces to `-`, only letters, digits, `-` and `_` kept.
    static func anchor(_ text: String) -> String {
        String(text.lowercased().compactMap { character -> Character? in
            if character == " " { return "-" }
            if character.isLetter || character.isNumber || character == "-" || character == "_" { return character }
            return nil
        })
    }

    /// A relative link to another document (`name.md`, `name.md#part`) becomes `/docs/name`; `../README.md`
    /// becomes the docs index. Anything else is left as written.
    static func rewritingDocumentLinks(_ html: String) -> String {
        guard let start = html.range(of: "href=\""), let end = html[start.upperBound...].firstIndex(of: "\"") else { return html }
        let href = String(html[start.upperBound..<end])
        let target = documentPath(href)
        guard target != href else { return html }
        return html.replacingCharacters(in: start.upperBound..<end, with: target)
    }

    static func documentPath(_ href: String) -> String {
        let parts = href.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let file = parts.first.map(String.init) ?? ""
        let fragment = parts.count > 1 ? "#" + parts[1] : ""
        if file == "../README.md" { return "/docs" + fragment }
        guard file.hasSuffix(".md"), !file.contains("/"), !file.contains(":") else { return href }
        return "/docs/" + file.dropLast(3) + fragment
    }
}

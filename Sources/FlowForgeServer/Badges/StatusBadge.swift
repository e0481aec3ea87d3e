import FlowForgeStore

/// The SVG of a status badge: "build" on the left, the result in its colour on the right, in the flat
/// style forges show in READMEs. Only fixed words reach the SVG, never a branch name or other request text.
struct StatusBadge: Equatable {
    let message: String
    /// Background of the message half; white text reads on each (contrast 3:1 or more).
    let colour: String

    static let label = "build"

    init(status: PipelineStatus?) {
        switch status {
        case .success: (message, colour) = ("passing", "#1f883d")
        case .failure: (message, colour) = ("failing", "#cf222e")
        case .error: (message, colour) = ("error", "#bc4c00")
        case .canceled: (message, colour) = ("canceled", "#6e7781")
        case .running: (message, colour) = ("running", "#0969da")
        case .pending: (message, colour) = ("pending", "#9a6700")
        // A branch without pipelines; skipped ones are not looked at.
        case .skipped, nil: (message, colour) = ("unknown", "#6e7781")
        }
    }

    /// About 7 px per character of 11 px Verdana, plus padding; exact widths need the font, which the
    /// client has and the server does not.
    static func width(_ text: String) -> Int { text.count * 7 + 12 }

    var svg: String {
        let left = Self.width(Self.label)
        let right = Self.width(message)
        let total = left + right
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(total)" height="20" role="img" aria-label="\(Self.label): \(message)">\
            <title>\(Self.label): \(message)</title>\
            <rect width="\(left)" height="20" fill="#555"/>\
            <rect x="\(left)" width="\(right)" height="20" fill="\(colour)"/>\
            <g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">\
            <text x="\(left / 2)" y="14">\(Self.label)</text>\
            <text x="\(left + right / 2)" y="14">\(message)</text>\
            </g></svg>
            """
    }
}

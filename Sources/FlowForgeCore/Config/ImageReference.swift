/// A container image reference in the distribution grammar: `[host[:port]/]path[:tag][@digest]`.
///
/// Parsed strictly because the reference ends up in Docker Engine API paths and queries and names the
/// host the daemon pulls from: anything outside the grammar (`..`, `?`, `&`, spaces, uppercase paths,
/// empty parts) is refused before it reaches a URL.
/// See https://github.com/distribution/reference (reference.go) for the grammar this follows.
public struct ImageReference: Sendable, Equatable {
    /// `host[:port]` as written, or nil for Docker Hub (no registry component).
    public var registry: String?
    /// The registry's host without port or IPv6 brackets; nil for Docker Hub.
    public var registryHost: String?
    /// The repository path, e.g. `library/alpine` or `team/tool`.
    public var path: String
    public var tag: String?
    /// `algorithm:hex`.
    public var digest: String?

    /// Longest name (registry and path) the grammar allows.
    public static let maxNameLength = 255

    /// The reference as written, tagged `latest` when it has neither tag nor digest (what a pull means).
    public var pullReference: String {
        var text = (registry.map { $0 + "/" } ?? "") + path
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest }
        if tag == nil && digest == nil { text += ":latest" }
        return text
    }

    /// Parses `text`; throws a sentence saying what is wrong.
    public static func parse(_ text: String) throws(ImageReferenceError) -> ImageReference {
        guard !text.isEmpty else { throw ImageReferenceError("it is empty") }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw ImageReferenceError("it may hold only printable ASCII, without spaces")
        }
        var rest = Substring(text)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            let value = rest[rest.index(after: at)...]
            guard isDigest(value) else {
                throw ImageReferenceError("the digest after `@` must look like sha256:<64 hex digits>")
            }
            digest = String(value)
            rest = rest[..<at]
        }
        // A tag follows the last `:` after the last `/` (a `:` before it is a registry port).
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let value = rest[rest.index(after: colon)...]
            guard isTag(value) else {
                throw ImageReferenceError("the tag after `:` must be 1 to 128 letters, digits, `_`, `.` or `-`, not starting with `.` or `-`")
            }
            tag = String(value)
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw ImageReferenceError("it has no repository name") }
        guard rest.count <= maxNameLength else {
            throw ImageReferenceError("its name is longer than \(maxNameLength) characters")
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        var registry: String?
        var registryHost: String?
        if components.count > 1, let first = components.first, isRegistryComponent(first) {
            guard let host = parseRegistry(first) else {
                throw ImageReferenceError("the registry `\(first)` must be a host name, an IPv4 address or a bracketed IPv6 address, with an optional :port")
            }
            registry = String(first)
            registryHost = host
            components.removeFirst()
        }
        for component in components where !isPathComponent(component) {
            if component.isEmpty { throw ImageReferenceError("it has an empty path component (`//`, or a `/` at either end)") }
            throw ImageReferenceError("the path component `\(component)` must be lowercase letters and digits, separated by `.`, `_`, `__` or dashes")
        }
        return ImageReference(
            registry: registry, registryHost: registryHost, path: components.joined(separator: "/"), tag: tag, digest: digest)
    }

    /// Docker's rule: the first component names a registry when it has a `.` or `:`, is `localhost`, or has
    /// uppercase letters (a path component never does); otherwise the name is on Docker Hub.
    static func isRegistryComponent(_ text: Substring) -> Bool {
        text.contains(".") || text.contains(":") || text == "localhost" || text.contains(where: \.isUppercase)
            || text.hasPrefix("[")
    }

    /// The host of `host[:port]`, or nil when it is not a valid registry.
    static func parseRegistry(_ text: Substring) -> String? {
        var host = text
        var port: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                port = after.dropFirst()
            }
            guard IPAddressClass.ipv6(String(host)) != nil else { return nil }
        } else {
            if let colon = text.firstIndex(of: ":") {
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            }
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            guard !labels.isEmpty, labels.allSatisfy(isDomainLabel) else { return nil }
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCIIDigit), let number = Int(port), (1...65_535).contains(number) else {
                return nil
            }
        }
        return String(host)
    }

    static func isDomainLabel(_ label: Substring) -> Bool {
        guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
        return first.isASCIILetterOrDigit && last.isASCIILetterOrDigit
            && label.allSatisfy { $0.isASCIILetterOrDigit || $0 == "-" }
    }

    /// Whether `text` may be one component of an image's path (see `isPathComponent`).
    public static func isValidPathComponent(_ text: String) -> Bool { isPathComponent(Substring(text)) }

    /// `[a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*`
    static func isPathComponent(_ text: Substring) -> Bool {
        var index = text.startIndex
        func alnumRun() -> Bool {
            let start = index
            while index < text.endIndex, text[index].isLowercaseASCIIAlnum { index = text.index(after: index) }
            return index > start
        }
        guard alnumRun() else { return false }
        while index < text.endIndex {
            let separatorStart = index
            while index < text.endIndex, !text[index].isLowercaseASCIIAlnum { index = text.index(after: index) }
            let separator = text[separatorStart..<index]
            guard separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" }) else {
                return false
            }
            guard alnumRun() else { return false }
        }
        return true
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
    static func isTag(_ text: Substring) -> Bool {
        guard let first = text.first, text.count <= 128, first.isASCIILetterOrDigit || first == "_" else { return false }
        return text.allSatisfy { $0.isASCIILetterOrDigit || $0 == "_" || $0 == "." || $0 == "-" }
    }

    /// `algorithm:hex` with at least 32 hex digits; algorithm components of letters and digits joined by `+._-`.
    static func isDigest(_ text: Substring) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let algorithm = text[..<colon]
        let hex = text[text.index(after: colon)...]
        let components = algorithm.split(omittingEmptySubsequences: false) { "+._-".contains($0) }
        guard !components.isEmpty, components.allSatisfy({ component in
            guard let first = component.first, first.isASCII, first.isLetter else { return false }
            return component.allSatisfy(\.isASCIILetterOrDigit)
        }) else { return false }
        return hex.count >= 32 && hex.allSatisfy(\.isHexDigit)
    }
}

/// Why a text is not an image reference; `reason` completes "… is not a valid image reference: …".
public struct ImageReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetterOrDigit: Bool { isASCII && (isLetter || isNumber) }
    var isLowercaseASCIIAlnum: Bool { isASCII && (isNumber || (isLetter && isLowercase)) }
}

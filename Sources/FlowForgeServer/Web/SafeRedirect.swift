/// Where a sign-in may send the browser afterwards: only a path on this site. Anything that a browser could
/// read as another origin (`//evil`, `/\evil`, `https://…`, control characters) falls back to the dashboard,
/// so `?next=` can never be used as an open redirect.
enum SafeRedirect {
    static let fallback = "/dashboard"

    static func path(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), next.count <= 2048 else { return fallback }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?#[]@!$&'()*+,;=%")
        guard next.allSatisfy({ allowed.contains($0) }) else { return fallback }
        // A percent-encoded slash or backslash right after the first one is decoded by some browsers.
        let lowered = next.lowercased()
        if lowered.hasPrefix("/%2f") || lowered.hasPrefix("/%5c") { return fallback }
        return next
    }
}

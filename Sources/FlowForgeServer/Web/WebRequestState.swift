import FlowForgeStore

/// The web app's part of a request's context, filled by `WebSessionMiddleware`.
struct WebRequestState: Sendable {
    /// The signed-in account and its session, when the cookie names a live one.
    var user: UserRecord?
    var session: WebSessionRecord?
    /// The token every form on the page must send back as `csrf_token`: the session's when signed in, else
    /// the one in the signed-out browser's `flowforge_csrf` cookie.
    var csrfToken = ""
    /// A POST's form fields, already checked against the CSRF token.
    var form: [String: String] = [:]
    /// Cookies the response must set (a new session, a new signed-out CSRF token, a sign-out).
    var setCookies: [String] = []
}

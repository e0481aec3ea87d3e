import Crypto
import FlowForgeStore
import HTTPTypes
import Foundation
import Hummingbird

/// In front of every page: reads the session cookie into `context.web` (and `context.userID`, so the API's
/// handlers serve the page's own routes), checks the CSRF token of every POST, renders errors as pages, and
/// sets the security headers (CSP allowing only this server's scripts and styles).
///
/// Every POST is counted by `limiter` (`RATE_LIMIT_MAX_REQUESTS` per `RATE_LIMIT_WINDOW`) before its form is
/// read: per account when signed in, per address when not, so registration (a bcrypt hash per request), the
/// e-mail-taken answer and the forms cannot be driven at will.
struct WebSessionMiddleware: RouterMiddleware {
    let sessions: WebSessions
    let limiter: RateLimiter
    static let maxFormBytes = 64 * 1024
    static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        var setCookies: [String] = []
        if let (session, user) = try await sessions.resolve(request) {
            context.web.session = session
            context.web.user = user
            context.web.csrfToken = session.csrfToken
            context.userID = user.id
            context.logger[metadataKey: "user_id"] = "\(user.id)"
        } else {
            if request.cookies[sessions.sessionCookie] != nil { setCookies.append(sessions.clearing(sessions.sessionCookie)) }
            if let known = request.cookies[sessions.csrfCookie]?.value, known.count >= 32, known.count <= 100 {
                context.web.csrfToken = known
            } else {
                context.web.csrfToken = SecretHashing.randomToken()
                setCookies.append(sessions.cookie(sessions.csrfCookie, context.web.csrfToken, maxAge: WebSessions.lifetimeSeconds))
            }
        }

        var response: Response
        do {
            if request.method == .post {
                let bucket = context.web.user.map { "web-user:" + $0.id } ?? "web-address:" + RateLimitIdentities.addressKey(context.remoteAddress)
                if let seconds = limiter.decide(bucket, now: Clock.nowMillis()).retryAfterSeconds {
                    context.logger.notice("web form rate limited", metadata: ["bucket": "\(bucket)"])
                    throw APIError(
                        .tooManyRequests, code: "rate_limited",
                        message: "too many forms sent; wait \(seconds) s and send it again (RATE_LIMIT_MAX_REQUESTS per RATE_LIMIT_WINDOW)",
                        headers: [.retryAfter: "\(seconds)"])
                }
                context.web.form = try await Self.checkedForm(&request, expected: context.web.csrfToken)
            }
            response = try await next(request, context)
        } catch let redirect as WebRedirect {
            response = redirect.response
        } catch let error as APIError {
            response = WebErrorPage(status: error.status, message: error.message).render(context)
            response.headers.append(contentsOf: error.headers)
        } catch let error as HTTPError {
            let mapped = ErrorMiddleware<AppRequestContext>.map(error)
            response = WebErrorPage(status: mapped.status, message: mapped.message).render(context)
        } catch {
            // Anything else would leave here without the headers below; say only that it failed.
            context.logger.error("web page failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            response = WebErrorPage(status: .internalServerError, message: "something went wrong on our side; try again in a moment").render(context)
        }
        for cookie in setCookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        Self.addSecurityHeaders(
            &response.headers,
            contentSecurityPolicy: response.headers[Self.contentSecurityPolicyName] ?? Self.contentSecurityPolicy)
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    static let contentSecurityPolicyName = HTTPField.Name("Content-Security-Policy")!

    /// The headers every HTML answer carries, pages of the web app and of /docs alike.
    static func addSecurityHeaders(_ headers: inout HTTPFields, contentSecurityPolicy: String) {
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
    }

    /// The POST's form fields, once its `csrf_token` field is proven to be this browser's token. A forged
    /// request from another site cannot read the token (it is in our pages and an HttpOnly cookie only).
    static func checkedForm(_ request: inout Request, expected: String) async throws -> [String: String] {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(.forbidden, code: "csrf_failed", message: "this form was not sent by a FlowForge page; reload the page and try again")
        }
        let body = try await request.collectBody(upTo: maxFormBytes)
        let form = FormBody.parse(String(buffer: body))
        guard let sent = form["csrf_token"], !expected.isEmpty,
              Data(SHA256.hash(data: Data(sent.utf8))) == Data(SHA256.hash(data: Data(expected.utf8)))
        else {
            throw APIError(.forbidden, code: "csrf_failed", message: "the form's security token is missing or stale; reload the page and send it again")
        }
        return form
    }
}

/// Thrown by a page handler to send the browser elsewhere (303, so a POST becomes a GET).
struct WebRedirect: Error {
    let location: String
    var cookies: [String] = []

    var response: Response {
        var headers: HTTPFields = [.location: location]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}

/// Sends a signed-out visitor of a dashboard page to sign in, and back to the page afterwards.
struct SignedInMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard context.web.user != nil else {
            let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            let next = request.method == .get ? path : "/dashboard"
            var allowed = CharacterSet.urlQueryAllowed
            allowed.remove(charactersIn: "&=+?#")
            throw WebRedirect(location: "/auth/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: allowed) ?? "/dashboard"))
        }
        return try await next(request, context)
    }
}

extension Response {
    /// The page's policy with `form-action` widened to HTTPS hosts: the billing and sign-up forms may end in a redirect
    /// to Stripe's payment pages, whose host comes from Stripe's answer, and browsers apply `form-action` to
    /// a form's redirects too.
    func allowingFormsToEndOnHTTPSHosts() -> Response {
        var response = self
        response.headers[WebSessionMiddleware.contentSecurityPolicyName] = WebSessionMiddleware.contentSecurityPolicy
            .replacingOccurrences(of: "form-action 'self'", with: "form-action 'self' https:")
        return response
    }
}

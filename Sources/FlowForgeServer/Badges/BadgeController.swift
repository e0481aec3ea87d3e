import Crypto
import FlowForgeStore
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /badge/:repository_id.svg?branch=`: the last pipeline's result on a branch (the repository's default
/// branch when omitted), for a README. No authentication, so it answers only for repositories whose owner
/// turned `public_badge` on; any other id, existing or not, gets the same 404.
///
/// Caches may keep a badge for `maxAge` seconds (so a badge just made private may show that long), then
/// revalidate with the `ETag`: an unchanged badge is a bodiless 304.
struct BadgeController {
    let badges: any RepositoryBadgeRepository

    static let maxAge = 60

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("{repository_id}.svg", use: show)
    }

    static let notFound = APIError(
        .notFound, code: "not_found",
        message: "no public badge here: the repository does not exist, or its owner has not turned on public_badge (PATCH /api/user/repositories/:id)")

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.require("repository_id")
        let branch = request.uri.queryParameters["branch"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        // A branch that no ref could have is not looked up; the badge still says nothing about it.
        if let branch, !PipelineRequest.isValidRefName(branch) {
            throw APIError.validation("branch", "\"\(branch)\" is not a valid branch name")
        }
        guard let state = try await badges.badge(repositoryID: id, branch: branch) else { throw Self.notFound }
        let svg = StatusBadge(status: state.status).svg
        let etag = "\"" + SHA256.hash(data: Data(svg.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        var headers: HTTPFields = [
            .cacheControl: "public, max-age=\(Self.maxAge), must-revalidate",
            .eTag: etag,
        ]
        if Self.matches(request.headers[.ifNoneMatch], etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "image/svg+xml; charset=utf-8"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: svg)))
    }

    /// `If-None-Match` names this ETag (weakly or strongly, alone or in a list), or is `*`.
    static func matches(_ header: String?, etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}

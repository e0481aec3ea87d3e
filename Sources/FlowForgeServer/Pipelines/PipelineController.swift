import FlowForgeRunner
import FlowForgeStore
import Foundation
import HTTPTypes
import Hummingbird

/// The v1 pipelines API, authenticated by API key. Another account's pipeline is a 404, never a 403, so ids
/// reveal nothing.
struct PipelineController {
    let pipelines: any PipelineRepository
    let logs: any LogStore
    let urlPolicy: RepositoryURLPolicy
    let launcher: PipelineLauncher
    /// A restart of a connected repository's pipeline clones from where a new one would (see `restartURL`).
    let repositories: any ConnectedRepositoryRepository
    let hosts: ForgeHosts
    /// Pipelines from uploaded archives (`multipart/form-data`).
    let uploads: UploadedSources
    /// How often an idle event stream writes a keep-alive comment (`FLOWFORGE_SSE_KEEPALIVE_MS`).
    var eventKeepAlive: Duration = .seconds(15)
    /// The steps' kept files; nil answers an empty list.
    var artifacts: (any ArtifactRepository)? = nil
    var artifactStore: (any ArtifactStore)? = nil

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .get(":id", use: show)
            .get(":id/logs", use: showLogs)
            .get(":id/events", use: events)
            .get(":id/steps/:name/logs", use: stepLogs)
            .get(":id/artifacts", use: listArtifacts)
            .get(":id/artifacts/**", use: downloadArtifact)
            .post(":id/cancel", use: cancel)
            .post(":id/restart", use: restart)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PipelineView> {
        let userID = try context.requireUser()
        if let boundary = request.headers[.contentType].flatMap(MultipartFormData.boundary(contentType:)) {
            return try await createFromUpload(request, boundary: boundary, userID: userID, context: context, uploads: uploads)
        }
        let body = try await request.decodeJSON(PipelineRequest.self, context: context)
        guard let rawURL = body.repoUrl else { throw APIError.validation("repo_url", "is required") }
        let repoURL = try await urlPolicy.check(rawURL)
        let valid = try body.validated()
        let pipeline = PipelineRecord(
            id: UUID().uuidString.lowercased(), userID: userID, repoURL: repoURL, branch: valid.branch,
            commitSHA: valid.commit, event: valid.event, commands: valid.commands, environment: valid.environment,
            createdAt: Clock.nowMillis()
        )
        do {
            try await launcher.launch(pipeline, logger: context.logger)
        } catch let refusal as PlanLimitRefusal {
            throw refusal.apiError
        }
        return EditedResponse(status: .created, response: PipelineView(pipeline, steps: []))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> PipelineView {
        let pipeline = try await find(context)
        return PipelineView(pipeline, steps: try await pipelines.steps(pipelineID: pipeline.id))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> PipelineListView {
        let userID = try context.requireUser()
        let query = request.uri.queryParameters
        var status: PipelineStatus?
        if let text = query["status"].map(String.init), !text.isEmpty {
            guard let parsed = PipelineStatus(rawValue: text) else {
                throw APIError.validation("status", "must be one of \(PipelineStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = parsed
        }
        var limit = 20
        if let text = query["limit"].map(String.init), !text.isEmpty {
            guard let value = Int(text), (1...100).contains(value) else { throw APIError.validation("limit", "must be a number from 1 to 100") }
            limit = value
        }
        let cursor = query["cursor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        if let cursor, PipelineCursor(encoded: cursor) == nil {
            throw APIError.validation("cursor", "is not a cursor this API returned; use next_cursor from the previous page")
        }
        let page = try await pipelines.list(userID: userID, status: status, limit: limit, cursor: cursor)
        return PipelineListView(pipelines: page.pipelines.map { PipelineView($0, steps: nil) }, nextCursor: page.nextCursor)
    }

    /// The whole log as text: each step's output under a `==> step <name> (<status>…)` header line, in run order.
    /// With `?follow=true` the log is streamed as it is written instead, until the pipeline ends.
    @Sendable func showLogs(_ request: Request, context: AppRequestContext) async throws -> Response {
        // An EventSource asks for the same log as events (`Accept: text/event-stream`).
        if Self.wantsEvents(request) { return try await events(request, context: context) }
        let pipeline = try await find(context)
        let options = try LogTextOptions(request)
        if let follow = request.uri.queryParameters["follow"].map(String.init), ["true", "1"].contains(follow) {
            let follower = PipelineLogFollower(pipelineID: pipeline.id, pipelines: pipelines, logs: logs)
            return Response(
                status: .ok,
                // Proxies in front (nginx) must pass each chunk on as it comes rather than buffer the answer.
                headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no"],
                body: ResponseBody { writer in try await follower.stream(into: &writer) })
        }
        // The steps' bytes as they were written, like the followed log: a build may print anything. Streamed
        // from the log store in bounded chunks, so a huge log never sits in memory whole.
        return try await textLog(of: pipeline, options)
    }

    func find(_ context: AppRequestContext) async throws -> PipelineRecord {
        let userID = try context.requireUser()
        let id = try context.parameters.require("id")
        guard let pipeline = try await pipelines.find(id: id, userID: userID) else { throw APIError.notFound("pipeline \(id)") }
        return pipeline
    }
}

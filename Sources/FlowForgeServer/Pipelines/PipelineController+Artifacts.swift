import FlowForgeStore
import Foundation
import HTTPTypes
import Hummingbird

/// An artifact as `GET /api/v1/pipelines/:id/artifacts` lists it.
struct ArtifactView: Codable, Sendable {
    let name: String
    let size: Int64
    let sha256: String
    let step: String
}

struct ArtifactListView: ResponseEncodable {
    let artifacts: [ArtifactView]
}

extension PipelineController {
    /// `GET /api/v1/pipelines/:id/artifacts`: the files the pipeline's steps kept, by name.
    @Sendable func listArtifacts(_ request: Request, context: AppRequestContext) async throws -> ArtifactListView {
        let pipeline = try await find(context)
        let records = try await artifacts?.list(pipelineID: pipeline.id, userID: pipeline.userID) ?? []
        return ArtifactListView(artifacts: records.map { ArtifactView(name: $0.name, size: $0.size, sha256: $0.sha256, step: $0.step) })
    }

    /// `GET /api/v1/pipelines/:id/artifacts/{name…}`: one artifact's bytes, streamed from the store.
    @Sendable func downloadArtifact(_ request: Request, context: AppRequestContext) async throws -> Response {
        let pipeline = try await find(context)
        let name = context.parameters.getCatchAll().map { String($0).removingPercentEncoding ?? String($0) }.joined(separator: "/")
        guard let artifacts, let store = artifactStore,
              let artifact = try await artifacts.find(pipelineID: pipeline.id, userID: pipeline.userID, name: name)
        else {
            throw APIError.notFound("artifact \"\(name)\" of pipeline \(pipeline.id); GET /api/v1/pipelines/\(pipeline.id)/artifacts lists them")
        }
        var headers: HTTPFields = [
            .contentType: "application/octet-stream",
            .contentDisposition: Self.contentDisposition(name),
        ]
        headers[HTTPField.Name("X-Content-SHA256")!] = artifact.sha256
        let key = artifact.storageKey
        let logger = context.logger
        return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: Int(artifact.size)) { writer in
            let found = try await store.read(key: key) { chunk in try await writer.write(chunk) }
            if !found {
                // The headers are gone already: all that is left is to cut the response short.
                logger.error("an artifact's bytes are missing from the store", metadata: ["storage_key": "\(key)"])
                throw ArtifactStoreError(description: "\(key) is missing from the artifact store")
            }
            try await writer.finish(nil)
        })
    }

    /// `attachment` with the file's own name: a plain-ASCII fallback and the exact name in RFC 5987 form.
    static func contentDisposition(_ name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? "artifact"
        let plain = String(base.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0 != "%" ? Character($0) : "_" })
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let encoded = base.addingPercentEncoding(withAllowedCharacters: allowed) ?? plain
        return "attachment; filename=\"\(plain)\"; filename*=UTF-8''\(encoded)"
    }
}

import FlowForgeArchive
import FlowForgeStore
import Foundation
import Hummingbird

extension PipelineController {
    /// `POST /api/v1/pipelines` as `multipart/form-data`: a `source` file (an archive of `ALLOWED_FILE_TYPES`)
    /// becomes the workspace instead of a clone, with the usual fields beside it (`branch`, `commands` once
    /// per command, `env` as a JSON object). The archive is unpacked once here, so a hostile one is a 422 now.
    func createFromUpload(_ request: Request, boundary: String, userID: String, context: AppRequestContext, uploads: UploadedSources) async throws -> EditedResponse<PipelineView> {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        var fields: [String: Any] = [:], commands: [String] = []
        var source: MultipartFormData.Part?
        for part in try MultipartFormData.parse(Array(body.readableBytesView), boundary: boundary) {
            let text = String(decoding: part.data, as: UTF8.self)
            switch part.name {
            case "source":
                guard source == nil else { throw APIError.validation("source", "give one source file, not several") }
                source = part
            case "branch": fields["branch"] = text
            case "commands", "commands[]": commands.append(text)
            case "env":
                guard let object = try? JSONSerialization.jsonObject(with: Data(part.data)) as? [String: Any] else {
                    throw APIError.validation("env", "must be a JSON object of variable names to values, e.g. {\"NODE_ENV\": \"test\"}")
                }
                fields["env"] = object
            default:
                throw APIError.validation(part.name, "is not a field of an uploaded pipeline; send source, branch, commands or env")
            }
        }
        guard let source, let rawName = source.filename, !rawName.isEmpty else {
            throw APIError.validation("source", "is required: a file part named source holding the archive (\(uploads.settings.allowedTypes.joined(separator: ", ")))")
        }
        // Only the name, never a client's path.
        let fileName = String(String(rawName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "source").prefix(200))
        guard uploads.settings.type(of: fileName) != nil else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_file_type",
                message: "\"\(fileName)\" is not an archive type this server accepts (ALLOWED_FILE_TYPES: \(uploads.settings.allowedTypes.joined(separator: ", ")))")
        }
        if !commands.isEmpty { fields["commands"] = commands }
        let valid: PipelineRequest.Valid
        do {
            valid = try JSONDecoder.api.decode(PipelineRequest.self, from: try JSONSerialization.data(withJSONObject: fields)).validated()
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        }
        let bytes = Array(source.data)
        if UploadedSources.isDockerfile(fileName: fileName) {
            try await checkDockerfileUpload(bytes, commands: valid.commands, userID: userID)
        }
        do {
            try await uploads.check(bytes, fileName: fileName)
        } catch let error as SourceArchiveError {
            throw APIError(.unprocessableContent, code: "invalid_archive", message: "\(error)")
        }
        let pipeline = PipelineRecord(
            id: UUID().uuidString.lowercased(), userID: userID, repoURL: UploadedSources.scheme + fileName, branch: valid.branch,
            commitSHA: nil, event: "api", commands: valid.commands, environment: valid.environment, createdAt: Clock.nowMillis())
        try await uploads.keep(bytes, fileName: fileName, pipelineID: pipeline.id)
        do {
            try await launcher.launch(pipeline, logger: context.logger)
        } catch {
            await uploads.remove(pipelineID: pipeline.id)
            if let refusal = error as? PlanLimitRefusal { throw refusal.apiError }
            throw error
        }
        return EditedResponse(status: .created, response: PipelineView(pipeline, steps: []))
    }
}
